/**
 * The Linkerd importer reads timeouts and retries as the policy controller does (linkerd2
 * policy-controller outbound/index.rs parse_timeouts / parse_duration, index/http.rs
 * parse_http_retry and convert_gateway_rule): the route annotation wins over rules[].timeouts,
 * which Linkerd parses with its one-number-one-unit parser; a limit of 0 is 1; a bad annotation
 * makes Linkerd drop the whole route.
 */
import { describe, expect, it } from 'vitest';
import { importSourceFor } from '../../../src/adapters/index.js';
import { importText } from '../../import/support.js';

const route = (annotations: Record<string, string>, rule: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
  namespace: shop
  annotations: ${JSON.stringify(annotations)}
spec:
  parentRefs: [{name: cart, kind: Service, group: core, port: 8080}]
  rules:
    - ${rule}
`;
const run = (text: string) => importText(text, importSourceFor('linkerd')!);
const rules = (r: ReturnType<typeof run>) =>
  (r.loaded.policies[0]?.policy.spec as { rules?: Record<string, unknown>[] } | undefined)?.rules;
const codes = (r: ReturnType<typeof run>) =>
  r.diagnostics.filter((d) => d.level !== 'info').map((d) => `${d.code} ${d.path}`);

describe('Linkerd import: timeouts', () => {
  it('a compound rules[].timeouts.request alone sets no timeout in Linkerd: reported, not imported', () => {
    const r = run(route({}, 'timeouts: {request: 1m30s}'));
    expect(codes(r)).toEqual(['AM4260 spec.rules[0].timeouts.request']);
    expect(rules(r)).toEqual([{}]);
  });

  it('the annotation wins; an equal rule field is taken, a different one reported', () => {
    const same = run(route({ 'timeout.linkerd.io/request': '90s' }, 'timeouts: {request: 1m30s}'));
    expect(codes(same)).toEqual([]);
    expect(rules(same)).toEqual([{ timeout: '1m30s' }]);
    const other = run(route({ 'timeout.linkerd.io/request': '5s' }, 'timeouts: {request: 2s}'));
    expect(codes(other)).toEqual(['AM4260 spec.rules[0].timeouts.request']);
    expect(rules(other)).toEqual([{ timeout: '5s' }]);
  });

  it('response and idle timeouts have no neutral form', () => {
    const r = run(route({ 'timeout.linkerd.io/idle': '1m', 'timeout.linkerd.io/response': '2s' }, '{}'));
    expect(codes(r).sort()).toEqual([
      'AM4260 metadata.annotations["timeout.linkerd.io/idle"]',
      'AM4260 metadata.annotations["timeout.linkerd.io/response"]',
    ]);
  });
});

describe('Linkerd import: retries', () => {
  it('conditions, ranges, limit and per-try timeout', () => {
    const r = run(
      route(
        {
          'retry.linkerd.io/http': '5xx,429,500-502',
          'retry.linkerd.io/limit': '4',
          'retry.linkerd.io/timeout': '250ms',
        },
        '{}',
      ),
    );
    expect(codes(r)).toEqual([]);
    expect(rules(r)).toEqual([
      { retries: { attempts: 4, perTryTimeout: '250ms', retryOn: ['5xx', '429', '500', '501', '502'] } },
    ]);
  });

  it('a limit of 0 is Linkerd default of 1 (reported); no limit is 1 (the default)', () => {
    expect(codes(run(route({ 'retry.linkerd.io/limit': '0' }, '{}')))).toEqual([
      'AM4261 metadata.annotations["retry.linkerd.io/limit"]',
    ]);
    expect(rules(run(route({ 'retry.linkerd.io/http': 'gateway-error' }, '{}')))).toEqual([
      { retries: { attempts: 1, retryOn: ['gateway-error'] } },
    ]);
  });

  it('an annotation Linkerd cannot parse fails the whole route: reported whole, nothing imported', () => {
    const r = run(
      route({ 'retry.linkerd.io/http': 'sometimes' }, 'backendRefs: [{name: cart-v2, port: 8080}]'),
    );
    expect(codes(r)).toEqual(['AM4260 ']);
    expect(r.loaded.policies).toEqual([]);
    expect(r.fields.unaccounted).toBe(0);
  });
});

describe('Linkerd import: rule order', () => {
  const two = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: shop}
spec:
  parentRefs: [{name: cart, kind: Service, group: core, port: 8080}]
  rules:
    - matches: [{path: {type: Exact, value: /cart}}, {path: {type: PathPrefix, value: /}}]
      backendRefs: [{name: cart, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: shop}
spec:
  parentRefs: [{name: cart, kind: Service, group: core, port: 8080}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /items}}]
      backendRefs: [{name: items, port: 8080}]
`;
  it('routes of one parent are merged most specific first, and a first-match order Linkerd would not keep is reported', () => {
    const r = run(two);
    const spec = r.loaded.policies[0]!.policy.spec as { rules: { backends?: { service: string }[] }[] };
    expect(r.loaded.policies.map((p) => p.ref)).toEqual(['TrafficPolicy/shop/cart']);
    expect(spec.rules.map((x) => x.backends?.[0]?.service ?? 'self')).toEqual(['self', 'items']);
    // /items/1 matches rule 0's prefix / (tried first) but Linkerd picks b's longer prefix.
    expect(codes(r)).toEqual(['AM4261 spec.rules[0].matches[0]']);
    expect(r.diagnostics.find((d) => d.code === 'AM4261')!.policy).toBe('HTTPRoute/shop/b');
  });
});
