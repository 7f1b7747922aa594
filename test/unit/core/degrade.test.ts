/**
 * Leaving features out (`--allow-degraded`, `onUnsupported: warn`) must never widen what a policy
 * does: a dropped match condition drops its whole match entry, a rule with no entry left is
 * dropped, sources drop entry by entry (the policy when none is left), security policies go whole.
 */
import { describe, expect, it } from 'vitest';
import { degrade } from '../../../src/core/compiler/degrade.js';
import { featuresUsed } from '../../../src/core/compiler/usage.js';
import type { FeatureId } from '../../../src/core/features/index.js';
import type { PolicyDoc } from '../../../src/core/model/policy-doc.js';
import type { TrafficPolicy } from '../../../src/core/model/schema.js';
import { access, load, mtls, traffic } from '../../support/kit.js';

function policyOf(text: string): PolicyDoc {
  const { policies, diagnostics } = load(text);
  expect(diagnostics).toEqual([]);
  return policies[0]!;
}

/** Degrades `text` as the compiler would when the mesh lacks `features`. */
function without(text: string, ...features: FeatureId[]) {
  const doc = policyOf(text);
  const drops = featuresUsed(doc).filter((u) => features.includes(u.feature));
  expect(drops.length, `the policy uses ${features.join(', ')}`).toBeGreaterThan(0);
  const before = JSON.stringify(doc.policy);
  const r = degrade(doc.policy, drops);
  expect(JSON.stringify(doc.policy), 'the input policy is not modified').toBe(before);
  return r;
}

const rules = (r: ReturnType<typeof without>) => (r.policy as TrafficPolicy).spec.rules;

describe('degrade', () => {
  it('nothing to drop returns the policy itself', () => {
    const doc = policyOf(traffic('  service: a\n  rules: [{timeout: 1s}]\n'));
    expect(degrade(doc.policy, [])).toEqual({ policy: doc.policy, droppedRules: [] });
  });

  it('a rule that loses every field stays, empty: it still takes the requests it took', () => {
    // Removed, a rule after it (unreachable, AM3012) would take its requests, and the output would
    // have no route where the policy has a rule to the service itself.
    const r = without(
      traffic('  service: a\n  rules:\n    - fault: {abort: {status: 503, percentage: 1}}\n'),
      'fault.abort.http',
    );
    expect(rules(r)).toEqual([{}]);
    expect(r.droppedRules).toEqual([]);
  });

  it('an unsupported condition drops its whole match entry, not just the condition', () => {
    const r = without(
      traffic(
        '  service: a\n  rules:\n    - matches:\n        - {path: {prefix: /api}, headers: [{name: x, regex: "a.*"}]}\n        - {method: GET}\n      timeout: 1s\n',
      ),
      'match.headers.regex',
    );
    // Dropping only the header would have matched every /api request: wider. The entry goes.
    expect(rules(r)).toEqual([{ matches: [{ method: 'GET' }], timeout: '1s' }]);
    expect(r.droppedRules).toEqual([]);
  });

  it('a rule whose entries are all dropped is dropped (an empty matches would match all)', () => {
    const r = without(
      traffic(
        '  service: a\n  rules:\n    - name: by-header\n      matches: [{headers: [{name: x, regex: a}]}, {queryParams: [{name: q, regex: b}]}]\n      timeout: 1s\n    - name: rest\n      timeout: 2s\n',
      ),
      'match.headers.regex',
      'match.queryParams.regex',
    );
    expect(rules(r)).toEqual([{ name: 'rest', timeout: '2s' }]);
    expect(r.droppedRules).toEqual([
      { index: 0, name: 'by-header', why: 'all of its matches used features it cannot express' },
    ]);
  });

  it('all rules dropped drops the policy, naming every rule (unnamed ones by index)', () => {
    const r = without(
      traffic(
        '  service: a\n  rules:\n    - matches: [{path: {regex: /a.*}}]\n    - {name: two, matches: [{path: {regex: /b.*}}]}\n',
      ),
      'match.path.regex',
    );
    expect(r.policy).toBeUndefined();
    expect(r.droppedRules).toEqual([
      { index: 0, name: 'rule-0', why: 'all of its matches used features it cannot express' },
      { index: 1, name: 'two', why: 'all of its matches used features it cannot express' },
    ]);
  });

  it('a rule-scoped feature (weighted backends) drops the rule', () => {
    const r = without(
      traffic(
        '  service: a\n  versions: {v1: {v: "1"}, v2: {v: "2"}}\n  rules:\n    - {name: split, matches: [{method: GET}], backends: [{version: v1, weight: 50}, {version: v2, weight: 50}]}\n    - {name: rest, timeout: 1s}\n',
      ),
      'backends.weighted',
    );
    expect(rules(r)).toEqual([{ name: 'rest', timeout: '1s' }]);
    // The rule goes for the feature, not for its matches (its one match is fine): said so.
    expect(r.droppedRules).toEqual([
      { index: 0, name: 'split', why: 'it needs backends.weighted, which the mesh cannot express' },
    ]);
  });

  it('sources drop entry by entry; none left drops the policy', () => {
    const text = traffic(
      '  service: a\n  sources: [{namespace: web}, {labels: {app: b}}]\n  rules: [{timeout: 1s}]\n',
    );
    const one = without(text, 'routing.sources.labels');
    expect((one.policy as TrafficPolicy).spec.sources).toEqual([{ namespace: 'web' }]);
    const all = without(text, 'routing.sources.labels', 'routing.sources.namespace');
    expect(all.policy).toBeUndefined();
  });

  it('a source with two conditions goes whole when one of them is unsupported', () => {
    const r = without(
      traffic(
        '  service: a\n  sources: [{namespace: web, labels: {app: b}}, {namespace: api}]\n  rules: [{timeout: 1s}]\n',
      ),
      'routing.sources.labels',
    );
    expect((r.policy as TrafficPolicy).spec.sources).toEqual([{ namespace: 'api' }]);
  });

  it('access and mTLS policies are dropped whole', () => {
    expect(
      without(
        access(
          '  service: a\n  action: allow\n  from: [{namespace: x}]\n  to: [{paths: [/a], methods: [GET]}]\n',
        ),
        'access.to.paths',
      ),
    ).toEqual({ policy: undefined, droppedRules: [] });
    expect(without(mtls('  mode: permissive\n'), 'mtls.permissive')).toEqual({
      policy: undefined,
      droppedRules: [],
    });
  });

  it('fields go one by one; a container left empty goes with them', () => {
    const text = traffic(
      '  service: a\n  rules:\n    - retries: {attempts: 3, perTryTimeout: 1s, backoff: {base: 10ms, max: 1s}}\n      fault: {delay: {duration: 1s, percentage: 5}, abort: {grpcStatus: INTERNAL, percentage: 1}}\n      timeout: 5s\n',
    );
    expect(rules(without(text, 'retries.perTryTimeout'))[0]!.retries).toEqual({
      attempts: 3,
      backoff: { base: '10ms', max: '1s' },
    });
    expect(rules(without(text, 'retries.backoff.max'))[0]!.retries?.backoff).toEqual({ base: '10ms' });
    expect(rules(without(text, 'retries.backoff'))[0]!.retries).toEqual({ attempts: 3, perTryTimeout: '1s' });
    expect(rules(without(text, 'retries.attempts'))[0]!.retries).toBeUndefined();
    expect(rules(without(text, 'fault.abort.grpc'))[0]!.fault).toEqual({
      delay: { duration: '1s', percentage: 5 },
    });
    expect(rules(without(text, 'fault.abort.grpc', 'fault.delay'))[0]).toEqual({
      retries: { attempts: 3, perTryTimeout: '1s', backoff: { base: '10ms', max: '1s' } },
      timeout: '5s',
    });
  });

  it('a mirror with an unsupported percentage goes whole (mirroring all would be more)', () => {
    const r = without(
      traffic('  service: a\n  rules: [{timeout: 1s, mirror: {backend: {service: b}, percentage: 10}}]\n'),
      'mirror.percentage',
    );
    expect(rules(r)).toEqual([{ timeout: '1s' }]);
  });

  it('CORS: an unsupported origin goes; with no origin left, CORS goes whole', () => {
    const text = (origins: string) =>
      traffic(
        `  service: a\n  rules: [{timeout: 1s, cors: {allowOrigins: [${origins}], allowMethods: [GET]}}]\n`,
      );
    expect(
      rules(without(text('{exact: "https://a"}, {regex: "https://.*"}'), 'cors.allowOrigins.regex'))[0]!.cors,
    ).toEqual({
      allowOrigins: [{ exact: 'https://a' }],
      allowMethods: ['GET'],
    });
    expect(rules(without(text('{regex: "https://.*"}'), 'cors.allowOrigins.regex'))[0]).toEqual({
      timeout: '1s',
    });
  });

  it('retries whose every retry condition is unsupported go whole (the mesh default conditions would retry on other failures)', () => {
    const r = without(
      traffic(
        '  service: a\n  rules: [{timeout: 1s, retries: {attempts: 3, retryOn: [cancelled, unavailable]}}]\n',
      ),
      'retries.on.grpc',
    );
    expect(rules(r)).toEqual([{ timeout: '1s' }]);
  });

  it('retries keep the conditions that are supported', () => {
    const r = without(
      traffic('  service: a\n  rules: [{retries: {attempts: 3, retryOn: [5xx, cancelled]}}]\n'),
      'retries.on.grpc',
    );
    expect(rules(r)).toEqual([{ retries: { attempts: 3, retryOn: ['5xx'] } }]);
  });

  it('header operations go per operation', () => {
    const r = without(
      traffic(
        '  service: a\n  rules: [{requestHeaders: {set: {a: "1"}, remove: [b]}, responseHeaders: {add: {c: "2"}}}]\n',
      ),
      'headers.request.remove',
      'headers.response.add',
    );
    expect(rules(r)).toEqual([{ requestHeaders: { set: { a: '1' } } }]);
  });

  it('spec.port (match.port) drops the whole policy: without it the policy would govern every port', () => {
    const r = without(traffic('  service: a\n  port: 8080\n  rules: [{timeout: 1s}]\n'), 'match.port');
    expect(r.policy).toBeUndefined();
  });
});
