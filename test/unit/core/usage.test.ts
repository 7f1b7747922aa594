/** Feature detection: every feature a policy uses, at the path that uses it, with its drop scope. */
import { describe, expect, it } from 'vitest';
import { featuresUsed, mtlsScope, retryConditionFeature } from '../../../src/core/compiler/usage.js';
import { FEATURE_IDS } from '../../../src/core/features/index.js';
import { formatPath } from '../../../src/core/loader/positions.js';
import type { MTLSPolicy } from '../../../src/core/model/schema.js';
import { access, load, mtls, positionOf, traffic } from '../../support/kit.js';

function uses(text: string) {
  const { policies, diagnostics } = load(text);
  expect(diagnostics).toEqual([]);
  const doc = policies[0]!;
  return featuresUsed(doc).map((u) => ({ ...u, where: doc.at(u.path).location }));
}

const rows = (text: string) =>
  uses(text).map((u) => `${u.feature} ${formatPath(u.path)} ${u.scope} ${formatPath(u.drop)}`);

describe('featuresUsed', () => {
  const RICH = traffic(`  service: reviews
  port: 9080
  versions: {v1: {version: v1}, v2: {version: v2}}
  sources: [{namespace: web, serviceAccount: fe, labels: {app: fe}}]
  rules:
    - matches:
        - path: {regex: "/api/.*"}
          method: GET
          headers: [{name: a, exact: x}, {name: b, prefix: y}, {name: c, regex: z}, {name: d, present: true}]
          queryParams: [{name: e, exact: x}, {name: f, regex: y}, {name: g, present: true}]
        - path: {exact: /x}
        - path: {prefix: /y}
      backends: [{version: v1, weight: 90}, {service: other, weight: 10}]
      timeout: 3s
      retries: {attempts: 3, perTryTimeout: 1s, retryOn: [5xx, reset, unavailable, "503"], backoff: {base: 25ms, max: 250ms}}
      fault: {delay: {duration: 1s, percentage: 1}, abort: {status: 503, percentage: 1}}
      mirror: {backend: {version: v2}, percentage: 20}
      requestHeaders: {set: {x: "1"}, add: {y: "2"}, remove: [z]}
      responseHeaders: {set: {x: "1"}, add: {y: "2"}, remove: [z]}
      cors: {allowOrigins: [{exact: a}, {prefix: b}, {regex: c}]}
    - fault: {abort: {grpcStatus: INTERNAL, percentage: 1}}
      backends: [{service: other}]
      mirror: {backend: {service: shadow}}
`);

  // Uses come in document order: a field before the fields inside it (backends.weighted is the list).
  it('finds every TrafficPolicy feature with its path, scope and what leaving it out removes, in document order', () => {
    const r = rows(RICH);
    const m = 'spec.rules[0].matches';
    expect(r).toEqual([
      'match.port spec.port policy ',
      'routing.sources.namespace spec.sources[0].namespace sourceEntry spec.sources[0]',
      'routing.sources.serviceAccount spec.sources[0].serviceAccount sourceEntry spec.sources[0]',
      'routing.sources.labels spec.sources[0].labels sourceEntry spec.sources[0]',
      `match.path.regex ${m}[0].path.regex matchEntry ${m}[0]`,
      `match.method ${m}[0].method matchEntry ${m}[0]`,
      `match.headers.exact ${m}[0].headers[0].exact matchEntry ${m}[0]`,
      `match.headers.prefix ${m}[0].headers[1].prefix matchEntry ${m}[0]`,
      `match.headers.regex ${m}[0].headers[2].regex matchEntry ${m}[0]`,
      `match.headers.present ${m}[0].headers[3].present matchEntry ${m}[0]`,
      `match.queryParams.exact ${m}[0].queryParams[0].exact matchEntry ${m}[0]`,
      `match.queryParams.regex ${m}[0].queryParams[1].regex matchEntry ${m}[0]`,
      `match.queryParams.present ${m}[0].queryParams[2].present matchEntry ${m}[0]`,
      `match.path.exact ${m}[1].path.exact matchEntry ${m}[1]`,
      `match.path.prefix ${m}[2].path.prefix matchEntry ${m}[2]`,
      'backends.weighted spec.rules[0].backends rule spec.rules[0]',
      'backends.version spec.rules[0].backends[0].version rule spec.rules[0]',
      'backends.service spec.rules[0].backends[1].service rule spec.rules[0]',
      'timeout.request spec.rules[0].timeout field spec.rules[0].timeout',
      'retries.attempts spec.rules[0].retries.attempts field spec.rules[0].retries',
      'retries.perTryTimeout spec.rules[0].retries.perTryTimeout field spec.rules[0].retries.perTryTimeout',
      'retries.on.http spec.rules[0].retries.retryOn[0] field spec.rules[0].retries.retryOn[0]',
      'retries.on.connection spec.rules[0].retries.retryOn[1] field spec.rules[0].retries.retryOn[1]',
      'retries.on.grpc spec.rules[0].retries.retryOn[2] field spec.rules[0].retries.retryOn[2]',
      'retries.on.http spec.rules[0].retries.retryOn[3] field spec.rules[0].retries.retryOn[3]',
      'retries.backoff spec.rules[0].retries.backoff.base field spec.rules[0].retries.backoff',
      'retries.backoff.max spec.rules[0].retries.backoff.max field spec.rules[0].retries.backoff.max',
      'fault.delay spec.rules[0].fault.delay field spec.rules[0].fault.delay',
      'fault.abort.http spec.rules[0].fault.abort.status field spec.rules[0].fault.abort',
      'mirror spec.rules[0].mirror field spec.rules[0].mirror',
      'backends.version spec.rules[0].mirror.backend.version field spec.rules[0].mirror',
      'mirror.percentage spec.rules[0].mirror.percentage field spec.rules[0].mirror',
      'headers.request.set spec.rules[0].requestHeaders.set field spec.rules[0].requestHeaders.set',
      'headers.request.add spec.rules[0].requestHeaders.add field spec.rules[0].requestHeaders.add',
      'headers.request.remove spec.rules[0].requestHeaders.remove field spec.rules[0].requestHeaders.remove',
      'headers.response.set spec.rules[0].responseHeaders.set field spec.rules[0].responseHeaders.set',
      'headers.response.add spec.rules[0].responseHeaders.add field spec.rules[0].responseHeaders.add',
      'headers.response.remove spec.rules[0].responseHeaders.remove field spec.rules[0].responseHeaders.remove',
      'cors spec.rules[0].cors field spec.rules[0].cors',
      'cors.allowOrigins.prefix spec.rules[0].cors.allowOrigins[1].prefix field spec.rules[0].cors.allowOrigins[1]',
      'cors.allowOrigins.regex spec.rules[0].cors.allowOrigins[2].regex field spec.rules[0].cors.allowOrigins[2]',
      'fault.abort.grpc spec.rules[1].fault.abort.grpcStatus field spec.rules[1].fault.abort',
      'backends.service spec.rules[1].backends[0].service rule spec.rules[1]',
      'mirror spec.rules[1].mirror field spec.rules[1].mirror',
      'backends.service spec.rules[1].mirror.backend.service field spec.rules[1].mirror',
    ]);
  });

  it('every use points at the source position of its field', () => {
    const byFeature = new Map(uses(RICH).map((u) => [u.feature, u.where]));
    const at = (w: string | [string, number]) => {
      const [line, col] = positionOf(RICH, w).split(':').map(Number);
      return { file: 'test.yaml', line, col };
    };
    expect(byFeature.get('match.port')).toEqual(at('9080'));
    expect(byFeature.get('match.headers.regex')).toEqual(at(['z}', 1]));
    expect(byFeature.get('retries.backoff.max')).toEqual(at('250ms'));
    expect(byFeature.get('fault.abort.grpc')).toEqual(at('INTERNAL'));
    expect(byFeature.get('cors.allowOrigins.regex')).toEqual(at('c}'));
  });

  it('a mirror at 100 percent does not use mirror.percentage', () => {
    expect(
      rows(traffic('  service: a\n  rules: [{mirror: {backend: {service: b}, percentage: 100}}]\n')),
    ).toEqual([
      'mirror spec.rules[0].mirror field spec.rules[0].mirror',
      'backends.service spec.rules[0].mirror.backend.service field spec.rules[0].mirror',
    ]);
  });

  it('a rule with one backend does not use backends.weighted', () => {
    expect(rows(traffic('  service: a\n  rules: [{backends: [{service: b, weight: 100}]}]\n'))).toEqual([
      'backends.service spec.rules[0].backends[0].service rule spec.rules[0]',
    ]);
  });

  it('AccessPolicy features are all policy-scoped; a namespace beside a service account only qualifies it', () => {
    const r = uses(
      access(
        '  service: a\n  action: deny\n  from: [{namespace: x, serviceAccount: y}, {namespace: z}]\n  to: [{methods: [GET], paths: [/a], ports: [80]}]\n',
      ),
    );
    expect(r.map((u) => `${u.feature} ${formatPath(u.path)}`)).toEqual([
      'access.deny spec.action',
      'access.from.serviceAccount spec.from[0].serviceAccount',
      'access.from.namespace spec.from[1].namespace',
      'access.to.methods spec.to[0].methods',
      'access.to.paths spec.to[0].paths',
      'access.to.ports spec.to[0].ports',
    ]);
    expect(new Set(r.map((u) => u.scope))).toEqual(new Set(['policy']));
  });

  it.each([
    ['  mode: strict\n', 'mtls.strict', 'mtls.scope.namespace', 'spec'],
    ['  mode: permissive\n  service: a\n', 'mtls.permissive', 'mtls.scope.service', 'spec'],
    ['  mode: strict\n  scope: mesh\n', 'mtls.strict', 'mtls.scope.mesh', 'spec.scope'],
  ])('MTLSPolicy %j uses %s and %s', (spec, mode, scope, scopePath) => {
    const r = uses(mtls(spec));
    expect(r.map((u) => `${u.feature} ${formatPath(u.path)}`)).toEqual([
      `${mode} spec.mode`,
      `${scope} ${scopePath}`,
    ]);
    const doc = load(mtls(spec)).policies[0]!;
    expect(`mtls.scope.${mtlsScope(doc.policy as MTLSPolicy)}`).toBe(scope);
  });

  it('every feature id reported is in the catalogue', () => {
    for (const u of uses(RICH)) expect(FEATURE_IDS).toContain(u.feature);
  });

  it('retry conditions map to their families; bare status codes are HTTP', () => {
    expect(retryConditionFeature('5xx')).toBe('retries.on.http');
    expect(retryConditionFeature('retriable-4xx')).toBe('retries.on.http');
    expect(retryConditionFeature('connect-failure')).toBe('retries.on.connection');
    expect(retryConditionFeature('refused-stream')).toBe('retries.on.connection');
    expect(retryConditionFeature('deadline-exceeded')).toBe('retries.on.grpc');
    expect(retryConditionFeature('resource-exhausted')).toBe('retries.on.grpc');
    expect(retryConditionFeature('429')).toBe('retries.on.http');
  });
});
