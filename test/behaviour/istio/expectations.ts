/**
 * Hand-written expectations for golden cases that the mutation test reuses: from the policy's
 * plain meaning, never read back from the output.
 */
import { expect } from 'vitest';
import type { Answer, Workload } from './driver.js';
import { caller, type Side, version } from './protocol-expectations.js';
import { allowed, arrival, backendName, backends, pod, request, result, type ServiceDef } from './world.js';

/** examples/bookinfo-canary.yaml: jason always gets v2, everyone else 90/10 with a 3 s timeout. */
/**
 * The analyzer message a DENY rule with only HTTP attributes gets (Istio: it then denies every
 * TCP connection of its callers), which anymesh announces itself as AM4113.
 */
export const DENY_HTTP_ONLY = {
  IST0133: 'the DENY rule has only HTTP attributes: anymesh warns the same (AM4113) and check calls it lossy',
};

export const bookinfo = {
  services: [
    { namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.10', ports: [{ port: 9080 }] },
  ] as ServiceDef[],
  pods: [
    pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' }),
    pod('bookinfo', 'reviews-v2', { app: 'reviews', version: 'v2' }),
    pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage'),
  ],
  get calls() {
    const [reviews] = this.services;
    const from = this.pods[2]!;
    return [
      request('jason', from, reviews!, 9080, { headers: { 'end-user': 'jason' } }),
      request('Jason', from, reviews!, 9080, { headers: { 'end-user': 'Jason' } }),
      request('anonymous', from, reviews!, 9080, { path: '/reviews/1' }),
    ];
  },
  check(answer: Answer) {
    const jason = result(answer, 'jason');
    expect(jason.route?.name).toBe('reviews-canary.testers');
    expect(backends(jason)).toEqual({ 'reviews.bookinfo:9080/v2': 100 });
    // 0 is Envoy's "no limit", which istiod writes for a route without timeout (route.go setTimeout);
    // an absent timeout would be Envoy's default of 15 s, so absent must not pass (docs/policy-model.md).
    expect(jason.route?.timeoutMs, 'the testers rule sets no timeout: no time limit').toBe(0);
    // exact matches the value case-sensitively: "Jason" is not the tester.
    for (const id of ['Jason', 'anonymous']) {
      const r = result(answer, id);
      expect(r.route?.name, id).toBe('reviews-canary.everyone');
      expect(backends(r), id).toEqual({ 'reviews.bookinfo:9080/v1': 90, 'reviews.bookinfo:9080/v2': 10 });
      expect(r.route?.timeoutMs, id).toBe(3000);
    }
  },
};

/**
 * test/cases/access-ip-block.yaml (sidecar; the ambient column refuses it): on orders' port 8080,
 * any caller from 10.0.0.0/8 except 10.96.0.0/12, or from fd00::/8, identity or not; the
 * monitoring/prometheus identity from anywhere; shop/batch from 10.20.0.0/16. The `from` entries are
 * alternatives, so batch is also let in from wherever the first entry admits anyone (10.20.0.0/16
 * lies inside it): what batch's own entry adds is seen only as the address it needs (batch from the
 * excepted 10.96.0.0/12 stays out). Every other caller, and every caller on another port, is refused.
 * Each caller's address is the one its connection arrives from (the inbound call's `from.ip`).
 */
export const ipBlockAccess = (() => {
  const orders = pod('shop', 'orders', { app: 'orders' });
  const services: ServiceDef[] = [
    { namespace: 'shop', name: 'orders', ip: '10.96.2.10', ports: [{ port: 8080 }, { port: 9090 }] },
  ];
  /** A caller at `ip`: plaintext (no mesh identity, as a node-local health check) unless `sa` is given. */
  const from = (ip: string, ns = 'default', sa?: string): Workload => ({
    namespace: ns,
    ip,
    ...(sa ? { serviceAccount: sa } : {}),
  });
  const plain = (id: string, ip: string, port = 8080) =>
    arrival(id, from(ip), orders, port, { plaintext: true, path: '/healthz' });
  const mtls = (id: string, ns: string, sa: string, ip: string, port = 8080) =>
    arrival(id, from(ip, ns, sa), orders, port, { path: '/orders/7' });
  return {
    services,
    pods: [orders],
    calls: [
      // 10.0.0.0/8 but 10.96.0.0/12 (10.96.0.0-10.111.255.255), checked at the edges.
      plain('pod-network', '10.1.7.9'),
      plain('pod-network-first', '10.0.0.1'),
      plain('pod-network-last', '10.255.255.254'),
      plain('below-excepted', '10.95.255.254'),
      plain('excepted-first', '10.96.0.1'),
      plain('excepted-last', '10.111.255.254'),
      plain('above-excepted', '10.112.0.1'),
      plain('outside-v4', '192.168.1.10'),
      plain('next-to-pod-network', '11.0.0.1'),
      // fd00::/8, and its neighbours fc00::/8 (the other half of fc00::/7) and a global address.
      plain('ula', 'fd00::1'),
      plain('ula-last', 'fdff:ffff:ffff:ffff::1'),
      plain('ula-other-half', 'fc00::1'),
      plain('global-v6', '2001:db8::1'),
      // Port 8080 only.
      plain('pod-network-9090', '10.1.7.9', 9090),
      plain('ula-9090', 'fd00::1', 9090),
      mtls('prometheus', 'monitoring', 'prometheus', '192.168.1.20'),
      mtls('prometheus-v6', 'monitoring', 'prometheus', '2001:db8::20'),
      mtls('prometheus-excepted', 'monitoring', 'prometheus', '10.100.0.20'),
      mtls('prometheus-9090', 'monitoring', 'prometheus', '192.168.1.20', 9090),
      mtls('grafana', 'monitoring', 'grafana', '192.168.1.21'),
      mtls('prometheus-elsewhere', 'shop', 'prometheus', '192.168.1.22'),
      mtls('batch', 'shop', 'batch', '10.20.3.4'),
      mtls('batch-subnet-last', 'shop', 'batch', '10.20.255.254'),
      mtls('batch-excepted', 'shop', 'batch', '10.100.0.23'),
      mtls('batch-outside', 'shop', 'batch', '192.168.1.23'),
      mtls('batch-9090', 'shop', 'batch', '10.20.3.4', 9090),
      mtls('web-outside', 'shop', 'web', '192.168.1.24'),
      mtls('web-pod-network', 'shop', 'web', '10.1.7.10'),
    ],
    allowedIds: [
      'pod-network',
      'pod-network-first',
      'pod-network-last',
      'below-excepted',
      'above-excepted',
      'ula',
      'ula-last',
      'prometheus',
      'prometheus-v6',
      'prometheus-excepted',
      'batch',
      'batch-subnet-last',
      // The network entry admits any caller from there, whatever its identity.
      'web-pod-network',
    ],
    check(answer: Answer) {
      const allowedIds = new Set(this.allowedIds);
      for (const c of this.calls) {
        const r = result(answer, c.id);
        expect(r.error, c.id).toBeUndefined();
        expect(allowed(r), `${c.id} (${c.from.ip}${c.plaintext ? ', plaintext' : ''}, port ${c.port})`).toBe(
          allowedIds.has(c.id),
        );
      }
    },
  };
})();

/**
 * test/cases/backend-health-check.yaml: Istio has no active health checking, so the healthCheck is
 * left out (AM3002) and only the TrafficPolicy remains: colorteller's calls split 50/50 between its
 * white and blue versions (subsets on the sidecar, leaf Services on ambient), and no Envoy cluster
 * of the route carries a health check, nor outlier detection standing in for one. On ambient the
 * waypoint's endpoints of each version are exactly that version's pods.
 */
export function healthCheckSplit(side: Side) {
  const colorteller: ServiceDef = {
    namespace: 'howto',
    name: 'colorteller',
    ip: '10.96.4.20',
    ports: [{ port: 9080 }],
  };
  const white = pod('howto', 'colorteller-white', { app: 'colorteller', version: 'white' });
  const blue = pod('howto', 'colorteller-blue', { app: 'colorteller', version: 'blue' });
  const gateway = pod('howto', 'gateway', { app: 'gateway' });
  const call = caller(side);
  const at = (v: string) => version(side, 'colorteller', 'howto', 9080, v);
  return {
    file: 'test/cases/backend-health-check.yaml',
    services: [colorteller],
    pods: [white, blue, gateway],
    calls: [
      call('to-white', gateway, colorteller, 9080, { path: '/color', server: white }),
      call('to-blue', gateway, colorteller, 9080, { path: '/color', server: blue }),
    ],
    check(answer: Answer) {
      for (const id of ['to-white', 'to-blue']) {
        const r = result(answer, id);
        expect(r.error, id).toBeUndefined();
        expect(r.route?.name, id).toMatch(/split$/);
        expect(backends(r), id).toEqual({ [at('white')]: 50, [at('blue')]: 50 });
        for (const c of r.route?.clusters ?? []) {
          const settings = r.route?.clusterSettings?.[c.cluster];
          expect(settings, `${id}: ${c.cluster} was generated`).toBeDefined();
          expect(settings?.healthChecks, `${id}: ${c.cluster} has no active health check`).toBeUndefined();
          expect(settings?.outlier, `${id}: ${c.cluster} has no outlier detection`).toBeUndefined();
        }
        if (side === 'ambient') {
          const podsOf = (cluster: string) =>
            (r.endpoints?.[cluster] ?? []).map((e) => e.slice(e.lastIndexOf(';') + 1).replace(/:\d+$/, ''));
          const byBackend = Object.fromEntries(
            (r.route?.clusters ?? []).map((c) => [backendName(c.cluster), podsOf(c.cluster)]),
          );
          expect(byBackend, `${id}: the pods of each version`).toEqual({
            [at('white')]: [white.ip],
            [at('blue')]: [blue.ip],
          });
        }
      }
    },
  };
}
