/**
 * The Istio ambient output (`istio.dataplane=ambient`): HTTPRoutes with Service parents, waypoints
 * and bindings, AuthorizationPolicies at ztunnel or the waypoint, and the refusals with their codes.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { DEFAULT_CONTEXT, type KubeObject } from '../../../src/core/adapter.js';
import { runCli } from '../../support/cli.js';
import { codes, compileFor } from '../../support/kit.js';

const AMBIENT = { 'istio.dataplane': 'ambient' };

function ambient(text: string, options: Record<string, string> = {}) {
  // compileFor checks every object against the CRDs the descriptor names (Gateway API included).
  return compileFor('istio', text, { options: { ...AMBIENT, ...options } });
}
const of = (rs: readonly KubeObject[], kind: string) => rs.filter((r) => r.kind === kind);

const traffic = (rules: string, extra = '  port: 8080\n') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
${extra}  selector: {app: cart}
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
${rules}
`;

describe('Istio ambient routing', () => {
  it('is the sidecar output unless istio.dataplane=ambient', () => {
    const text = traffic('    - backends: [{version: v1}]');
    const kinds = (r: { resources: KubeObject[] }) => r.resources.map((x) => x.kind);
    expect(kinds(compileFor('istio', text))).toEqual(['DestinationRule', 'VirtualService']);
    expect(kinds(compileFor('istio', text, { options: { 'istio.dataplane': 'sidecar' } }))).toEqual([
      'DestinationRule',
      'VirtualService',
    ]);
    const r = ambient(text);
    expect(kinds(r).sort()).toEqual(['Gateway', 'HTTPRoute', 'Service', 'Service']);
    expect(r.resources.some((x) => x.apiVersion.startsWith('networking.istio.io'))).toBe(false);
  });

  it('names the service itself with its port, since Istio answers 404 to a rule without backendRefs', () => {
    const r = ambient(traffic('    - timeout: 3s'));
    const route = of(r.resources, 'HTTPRoute')[0]!;
    expect((route.spec as { rules: unknown[] }).rules[0]).toMatchObject({
      backendRefs: [{ name: 'cart', port: 8080 }],
      timeouts: { request: '3s' },
    });
  });

  it('refuses what needs a port when spec.port is not set (AM4101)', () => {
    const r = ambient(traffic('    - backends: [{version: v1}]', ''));
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4101');
  });

  it('maps retries to rules[].retry and perTryTimeout to timeouts.backendRequest', () => {
    const r = ambient(
      traffic(
        '    - timeout: 5s\n      retries: {attempts: 4, perTryTimeout: 1s, retryOn: [gateway-error, "429"], backoff: {base: 50ms}}',
      ),
    );
    expect((of(r.resources, 'HTTPRoute')[0]!.spec as { rules: unknown[] }).rules[0]).toMatchObject({
      timeouts: { request: '5s', backendRequest: '1s' },
      retry: { attempts: 4, codes: [429, 502, 503, 504], backoff: '50ms' },
    });
  });

  it('refuses a per-try timeout longer than the timeout (AM4108), which Gateway API rejects', () => {
    const r = ambient(traffic('    - timeout: 1s\n      retries: {attempts: 2, perTryTimeout: 2s}'));
    expect(codes(r.diagnostics)).toContain('AM4108');
  });

  it('mirrors whole percentages as percent and decimals as a fraction', () => {
    const r = ambient(
      traffic(
        '    - name: a\n      matches: [{path: {prefix: /a}}]\n      mirror: {backend: {version: v2}, percentage: 25}\n    - name: b\n      mirror: {backend: {version: v2}, percentage: 0.5}',
      ),
    );
    const rules = (of(r.resources, 'HTTPRoute')[0]!.spec as { rules: { filters: unknown[] }[] }).rules;
    expect(rules[0]!.filters[0]).toMatchObject({ type: 'RequestMirror', requestMirror: { percent: 25 } });
    expect(rules[1]!.filters[0]).toMatchObject({
      requestMirror: { fraction: { numerator: 5000, denominator: 1_000_000 } },
    });
  });

  it('refuses CORS origins Gateway API cannot hold, or would widen (AM4107)', () => {
    for (const origin of ['shop.example.com', 'https://*.example.com']) {
      const r = ambient(traffic(`    - cors: {allowOrigins: [{exact: "${origin}"}]}`));
      expect(codes(r.diagnostics), origin).toContain('AM4107');
    }
  });

  it('refuses rule orders Istio would change: a catch-all prefix outranks a regex path (AM4103)', () => {
    const r = ambient(
      traffic('    - matches: [{path: {regex: "/x/[0-9]+"}}]\n    - backends: [{version: v1}]'),
    );
    expect(codes(r.diagnostics)).toContain('AM4103');
  });

  it('refuses fault injection with the reason (AM3001), never a VirtualService beside an HTTPRoute', () => {
    const r = ambient(traffic('    - fault: {abort: {status: 503, percentage: 10}}'));
    expect(r.ok).toBe(false);
    expect(r.diagnostics.find((d) => d.code === 'AM3001')?.feature).toBe('fault.abort.http');
  });
});

describe('Istio ambient HTTP/2 policies', () => {
  // The waypoint's inbound-vip cluster of the service applies the DestinationRule's h2UpgradePolicy
  // (cluster_waypoint.go buildWaypointInboundVIPCluster -> applyH2Upgrade): without it a rule whose
  // backend is the service itself reached the pods over HTTP/1.1.
  const h2 = (extra: string) =>
    traffic('    - timeout: 3s', `  port: 8080\n  protocol: http2\n`).replace(
      '  versions: {v1: {version: v1}, v2: {version: v2}}\n',
      extra,
    );
  it("upgrades the service's own port to h2c in its DestinationRule, as the sidecar output does", () => {
    const r = ambient(h2(''));
    expect(r.ok).toBe(true);
    const drs = of(r.resources, 'DestinationRule');
    expect(drs).toHaveLength(1);
    expect(drs[0]!.spec).toEqual({
      host: 'cart.shop.svc.cluster.local',
      trafficPolicy: {
        portLevelSettings: [
          { port: { number: 8080 }, connectionPool: { http: { h2UpgradePolicy: 'UPGRADE' } } },
        ],
      },
    });
  });
  it("keeps one DestinationRule per host: a BackendPolicy's settings join the upgrade", () => {
    const backend = `---
apiVersion: anymesh.dev/v1alpha1
kind: BackendPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  port: 8080
  connectionLimits: {maxRequests: 20}
`;
    const r = ambient(h2('') + backend);
    const drs = of(r.resources, 'DestinationRule');
    expect(drs).toHaveLength(1);
    expect((drs[0]!.spec as { trafficPolicy: unknown }).trafficPolicy).toEqual({
      portLevelSettings: [
        {
          port: { number: 8080 },
          connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', http2MaxRequests: 20 } },
        },
      ],
    });
    expect(drs[0]!.metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'BackendPolicy/shop/cart,TrafficPolicy/shop/cart',
    );
  });
  it('writes no DestinationRule for an http policy', () => {
    expect(of(ambient(traffic('    - timeout: 3s')).resources, 'DestinationRule')).toEqual([]);
  });
});

describe('Istio ambient waypoints', () => {
  it('emits the waypoint Gateway and a label-only binding of the Service', () => {
    const r = ambient(traffic('    - backends: [{version: v1}]'));
    const gw = of(r.resources, 'Gateway')[0]!;
    expect(gw.metadata).toMatchObject({ name: 'waypoint', namespace: 'shop' });
    expect(gw.spec).toEqual({
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    });
    const binding = of(r.resources, 'Service').find((s) => s.metadata.name === 'cart')!;
    // Only the label: no spec, no managed-by label, so apply owns the label and prune never deletes it.
    expect(binding).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint' } },
    });
    expect(codes(r.diagnostics)).toContain('AM4106');
  });

  it('uses an existing waypoint named by istio.waypoint, emitting no Gateway', () => {
    const r = ambient(traffic('    - backends: [{version: v1}]'), { 'istio.waypoint': 'shared-wp' });
    expect(of(r.resources, 'Gateway')).toEqual([]);
    const binding = of(r.resources, 'Service').find((s) => s.metadata.name === 'cart')!;
    expect(binding.metadata.labels).toEqual({ 'istio.io/use-waypoint': 'shared-wp' });
  });
});

const access = (name: string, to = '') => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  service: orders
  selector: {app: orders}
  action: allow
  from: [{namespace: shop, serviceAccount: web}]
${to}`;

describe('Istio ambient authorization', () => {
  it('L4-only: AuthorizationPolicy by selector for ztunnel, no waypoint', () => {
    const r = ambient(access('l4', '  to: [{ports: [8080]}]\n'));
    expect(of(r.resources, 'Gateway')).toEqual([]);
    expect(of(r.resources, 'AuthorizationPolicy').map((a) => a.spec)).toEqual([
      {
        selector: { matchLabels: { app: 'orders' } },
        action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
            to: [{ operation: { ports: ['8080'] } }],
          },
        ],
      },
    ]);
  });

  it('L7: targetRefs to the Service, plus a guard allowing only the waypoint identity at ztunnel', () => {
    const r = ambient(access('l7', '  to: [{methods: [GET], paths: ["/orders/*"]}]\n'), {
      'istio.waypoint': 'wp',
    });
    const aps = of(r.resources, 'AuthorizationPolicy');
    expect(aps.find((a) => a.metadata.name === 'l7')!.spec).toMatchObject({
      targetRefs: [{ group: '', kind: 'Service', name: 'orders' }],
      rules: [{ to: [{ operation: { methods: ['GET'], paths: ['/orders/*'] } }] }],
    });
    expect(aps.find((a) => a.metadata.name === 'orders-waypoint-only')!.spec).toEqual({
      selector: { matchLabels: { app: 'orders' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/wp'] } }] }],
    });
    expect(codes(r.diagnostics)).toContain('AM4110');
  });
});

describe('anymesh capabilities --option istio.dataplane=ambient', () => {
  it('prints the ambient column, and refuses an unknown data plane', async () => {
    const r = await runCli([
      'capabilities',
      '--mesh',
      'istio',
      '--option',
      'istio.dataplane=ambient',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out) as {
      meshes: { title: string }[];
      matrix: Record<string, Record<string, { support: string }>>;
    };
    expect(m.meshes[0]!.title).toBe('Istio (ambient)');
    expect(m.matrix.istio!['fault.delay']!.support).toBe('none');
    const bad = await runCli(['capabilities', '--mesh', 'istio', '--option', 'istio.dataplane=ambiant']);
    expect(bad.code).toBe(2);
  });
});

describe('the namespace data plane check of apply and diff', () => {
  const judge = ADAPTERS.istio!.namespaceFit!;
  const ns = (labels: Record<string, string>) => ({ name: 'shop', labels, annotations: {} });
  const ctx = (options: Record<string, string>) => ({ ...DEFAULT_CONTEXT, options });
  it('refuses sidecar output into an ambient namespace and ambient output into a sidecar one (AM4112)', () => {
    const toAmbient = judge(ns({ 'istio.io/dataplane-mode': 'ambient' }), ctx({}));
    expect(toAmbient?.code).toBe('AM4112');
    expect(toAmbient?.message).toContain('namespace shop');
    expect(judge(ns({ 'istio-injection': 'enabled' }), ctx(AMBIENT))?.code).toBe('AM4112');
    expect(judge(ns({ 'istio.io/rev': 'canary' }), ctx(AMBIENT))?.code).toBe('AM4112');
  });
  it('lets matching modes, unlabelled namespaces and an explicit override through', () => {
    expect(judge(ns({ 'istio.io/dataplane-mode': 'ambient' }), ctx(AMBIENT))).toBeUndefined();
    expect(judge(ns({ 'istio-injection': 'enabled' }), ctx({}))).toBeUndefined();
    expect(judge(ns({}), ctx(AMBIENT))).toBeUndefined();
    expect(
      judge(ns({ 'istio.io/rev': 'canary', 'istio-injection': 'disabled' }), ctx(AMBIENT)),
    ).toBeUndefined();
    expect(
      judge(ns({ 'istio.io/dataplane-mode': 'ambient' }), ctx({ 'istio.anyNamespaceMode': 'true' })),
    ).toBeUndefined();
  });
});

describe('the data plane status reports per namespace', () => {
  const modeOf = ADAPTERS.istio!.dataplanes!.modeOf;
  const ns = (labels: Record<string, string>) => ({ labels, annotations: {} });
  it('says ambient, sidecar or none; injection wins, since a pod with a sidecar opts out of ztunnel', () => {
    expect(modeOf(ns({ 'istio.io/dataplane-mode': 'ambient' }))).toBe('ambient');
    expect(modeOf(ns({ 'istio-injection': 'enabled' }))).toBe('sidecar');
    expect(modeOf(ns({ 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }))).toBe(
      'sidecar',
    );
    expect(modeOf(ns({ 'istio.io/rev': 'canary' }))).toBe('sidecar');
    expect(modeOf(ns({ 'istio.io/rev': 'canary', 'istio.io/dataplane-mode': 'ambient' }))).toBe('ambient');
    expect(modeOf(ns({}))).toBe('none');
    expect(ADAPTERS.istio!.dataplanes!.waypointClass).toBe('istio-waypoint');
  });
});
