import { describe, expect, it } from 'vitest';
import { analyzeOverlaps } from '../../../src/core/overlap/index.js';
import { load, policy } from '../../support/kit.js';

const doc = (name: string, spec: string, extra = '') =>
  policy('TrafficPolicy', `  service: cart\n${extra}${spec}`, { name, namespace: 'shop' });

function findings(text: string) {
  const loaded = load([{ name: 'policies.yaml', text }], { overlaps: false });
  expect(loaded.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return analyzeOverlaps(loaded.policies);
}

const codes = (text: string) => findings(text).map((f) => f.diagnostic.code);

describe('shadowed rules (AM3012) and match entries (AM3013)', () => {
  it('a rule after a rule without matches is never reached', () => {
    const f = findings(
      doc(
        'a',
        `  rules:
    - name: all
      timeout: 1s
    - name: api
      matches: [{path: {prefix: /api}}]
      timeout: 2s
`,
      ),
    );
    expect(f.map((x) => [x.kind, x.diagnostic.code, x.diagnostic.level])).toEqual([
      ['shadowed-rule', 'AM3012', 'warning'],
    ]);
    // Both positions: the shadowed rule's matches and the catching rule.
    expect(f[0]!.diagnostic.location).toMatchObject({ file: 'policies.yaml', line: 10 });
    expect(f[0]!.diagnostic.path).toBe('spec.rules[1].matches');
    expect(f[0]!.other).toMatchObject({ policy: 'TrafficPolicy/shop/a', path: 'spec.rules[0]' });
    expect(f[0]!.other.location.line).toBe(7);
  });

  it('prefix /api catches prefix /api/v1; method-less catches method-specific; same exact path', () => {
    expect(
      codes(
        doc(
          'a',
          `  rules:
    - matches: [{path: {prefix: /api}}]
      timeout: 1s
    - matches: [{path: {prefix: /api/v1}, method: GET}]
      timeout: 2s
    - matches: [{path: {exact: /x}}]
      timeout: 3s
    - matches: [{path: {exact: /x}}]
      timeout: 4s
`,
        ),
      ),
    ).toEqual(['AM3012', 'AM3012']);
  });

  it('only some entries caught: AM3013 for each caught entry, not AM3012', () => {
    const f = findings(
      doc(
        'a',
        `  rules:
    - matches: [{path: {prefix: /api}}]
      timeout: 1s
    - matches: [{path: {prefix: /web}}, {path: {exact: /api/x}}]
      timeout: 2s
`,
      ),
    );
    expect(f.map((x) => x.diagnostic.code)).toEqual(['AM3013']);
    expect(f[0]!.diagnostic.path).toBe('spec.rules[1].matches[1]');
  });

  it('no warning when the earlier rule is narrower or undecidable', () => {
    expect(
      codes(
        doc(
          'a',
          `  rules:
    - matches: [{path: {prefix: /api/v1}}]
      timeout: 1s
    - matches: [{path: {prefix: /api}}]
      timeout: 2s
    - matches: [{path: {prefix: /u}, method: GET}]
      timeout: 3s
    - matches: [{path: {prefix: /u}}]
      timeout: 4s
    - matches: [{path: {regex: "/r/.*"}}]
      timeout: 5s
    - matches: [{path: {prefix: /r/}}]
      timeout: 6s
    - matches: [{headers: [{name: x-user, exact: a}]}]
      timeout: 7s
    - timeout: 8s
`,
        ),
      ),
    ).toEqual([]);
  });
});

describe('conflicting policies (AM3011)', () => {
  const two = (a: string, b: string, aExtra = '', bExtra = '') =>
    `${doc('a', a, aExtra)}---\n${doc('b', b, bExtra)}`;

  it('two policies for the same route with different settings: error with both positions', () => {
    const f = findings(
      two(
        `  rules:
    - name: api
      matches: [{path: {prefix: /api}}]
      timeout: 1s
`,
        `  rules:
    - name: cart
      matches: [{path: {exact: /api/cart}, method: GET}]
      timeout: 2s
      retries: {attempts: 2}
`,
      ),
    );
    expect(f.map((x) => [x.kind, x.diagnostic.code, x.diagnostic.level])).toEqual([
      ['conflict', 'AM3011', 'error'],
    ]);
    expect(f[0]!.fields).toEqual(['timeout', 'retries']);
    expect(f[0]!.diagnostic.policy).toBe('TrafficPolicy/shop/b');
    expect(f[0]!.diagnostic.path).toBe('spec.rules[0].matches[0]');
    expect(f[0]!.diagnostic.location?.line).toBe(18);
    expect(f[0]!.other).toMatchObject({ policy: 'TrafficPolicy/shop/a', path: 'spec.rules[0].matches[0]' });
    expect(f[0]!.other.location).toMatchObject({ file: 'policies.yaml', line: 8 });
    expect(f[0]!.diagnostic.message).toContain('policies.yaml:8:');
  });

  it('no conflict when the settings are the same (key order and defaults aside)', () => {
    expect(
      codes(
        two(
          `  rules:
    - retries: {attempts: 2, perTryTimeout: 1s}
      backends: [{version: v1}]
`,
          `  rules:
    - backends: [{version: v1, weight: 100}]
      retries: {perTryTimeout: 1s, attempts: 2}
`,
          '  versions: {v1: {version: v1}}\n',
          '  versions: {v1: {version: v1}}\n',
        ),
      ),
    ).toEqual([]);
  });

  it('the same version name with other labels is a conflict on backends', () => {
    const f = findings(
      two(
        '  rules: [{backends: [{version: v1}]}]\n',
        '  rules: [{backends: [{version: v1}]}]\n',
        '  versions: {v1: {version: v1}}\n',
        '  versions: {v1: {track: stable}}\n',
      ),
    );
    expect(f.map((x) => x.fields)).toEqual([['backends']]);
  });

  it('no conflict when matches, ports or sources are disjoint', () => {
    const rule = (path: string, t: string) =>
      `  rules: [{matches: [{path: {prefix: ${path}}}], timeout: ${t}}]\n`;
    expect(codes(two(rule('/api', '1s'), rule('/web', '2s')))).toEqual([]);
    expect(codes(two(rule('/api', '1s'), rule('/api', '2s'), '  port: 80\n', '  port: 81\n'))).toEqual([]);
    expect(
      codes(
        two(
          rule('/api', '1s'),
          rule('/api', '2s'),
          '  sources: [{namespace: a}]\n',
          '  sources: [{namespace: b}]\n',
        ),
      ),
    ).toEqual([]);
    // A more specific policy (a port, or sources) takes precedence over a less specific one: the
    // model orders them, so they do not conflict.
    expect(codes(two(rule('/api', '1s'), rule('/api', '2s'), '  port: 80\n'))).toEqual([]);
    expect(codes(two(rule('/api', '1s'), rule('/api', '2s'), '', '  sources: [{namespace: a}]\n'))).toEqual(
      [],
    );
    // Equally specific ones whose scopes overlap do.
    expect(
      codes(
        two(
          rule('/api', '1s'),
          rule('/api', '2s'),
          '  sources: [{namespace: a}]\n',
          '  sources: [{namespace: a}]\n',
        ),
      ),
    ).toEqual(['AM3011']);
    expect(codes(two(rule('/api', '1s'), rule('/api', '2s'), '  port: 80\n', '  port: 80\n'))).toEqual([
      'AM3011',
    ]);
  });

  it('overlaps that an earlier rule of either policy already takes are not conflicts', () => {
    expect(
      codes(
        two(
          `  rules:
    - matches: [{path: {prefix: /api/v1}}]
      timeout: 9s
    - timeout: 1s
`,
          `  rules:
    - matches: [{path: {prefix: /api/v1}}]
      timeout: 9s
`,
        ),
      ),
    ).toEqual([]);
  });

  it('other services and other namespaces never conflict', () => {
    const other = doc('b', '  rules: [{timeout: 2s}]\n').replace('service: cart', 'service: orders');
    expect(codes(`${doc('a', '  rules: [{timeout: 1s}]\n')}---\n${other}`)).toEqual([]);
    const elsewhere = doc('b', '  rules: [{timeout: 2s}]\n').replace('namespace: shop', 'namespace: web');
    expect(codes(`${doc('a', '  rules: [{timeout: 1s}]\n')}---\n${elsewhere}`)).toEqual([]);
  });

  it('two MTLSPolicies for the same scope with different modes conflict; the same mode does not', () => {
    const mtls = (name: string, mode: string) => `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: ${name}, namespace: shop}
spec: {mode: ${mode}}
`;
    const f = findings(`${mtls('a', 'strict')}---\n${mtls('b', 'permissive')}---\n${mtls('c', 'strict')}`);
    expect(f.map((x) => [x.diagnostic.code, x.diagnostic.policy, x.other.policy])).toEqual([
      ['AM3011', 'MTLSPolicy/shop/b', 'MTLSPolicy/shop/a'],
    ]);
  });
});
