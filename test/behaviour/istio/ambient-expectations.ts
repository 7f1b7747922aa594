/**
 * Hand-written expectations for ambient golden cases that the mutation test reuses: from the
 * policies' plain meaning, never read back from the output.
 */
import { expect } from 'vitest';
import { ambientRequest, direct } from './ambient-world.js';
import type { Answer, Result } from './driver.js';
import { backends, pod, result, type ServiceDef } from './world.js';

/** The SPIFFE identity of namespace `ns`'s waypoint, and of a service account. */
export const WAYPOINT = (ns: string) => `spiffe://cluster.local/ns/${ns}/sa/waypoint`;
export const id = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

/**
 * The leaf Services anymesh creates per version (`<service>-<version>`) name their ports
 * `port-<n>`, without a protocol: Istio detects the protocol on them (Info IST0118). The waypoint
 * routes HTTP to them either way (the routes are Istio's); the parent Service's port names
 * are the user's.
 */
export const LEAF_PORT_NAMES = {
  IST0118: 'leaf Services per version name their ports port-<n>, so Istio detects the protocol (Info)',
};

/** Every call reached the pod's ztunnel as the waypoint and was let in. */
export const landedViaWaypoint = (answer: Answer, ns: string, ids: string[]) => {
  for (const i of ids) ztunnelAllows(result(answer, i), WAYPOINT(ns));
};

/** The request went through the waypoint `waypoint.<ns>` and its L7 rules let it through. */
export function viaWaypoint(r: Result, ns: string): void {
  expect(r.error, r.id).toBeUndefined();
  expect(r.waypoint, `${r.id} goes through the namespace's waypoint`).toBe(
    `waypoint.${ns}.svc.cluster.local`,
  );
}

/** ztunnel at the destination let the connection in, seeing `source`. */
export function ztunnelAllows(r: Result, source: string): void {
  expect(r.ztunnel, `${r.id} reached the destination's ztunnel`).toBeDefined();
  expect(r.ztunnel!.source, r.id).toBe(source);
  expect(r.ztunnel!.allowed, `${r.id}: ${r.ztunnel!.reason}`).toBe(true);
}

export function ztunnelDenies(r: Result): void {
  expect(r.ztunnel, `${r.id} reached the destination's ztunnel`).toBeDefined();
  expect(r.ztunnel!.allowed, `${r.id}: ${r.ztunnel!.reason}`).toBe(false);
}

/** The waypoint's RBAC refused the request (it never reached the pod). */
export function waypointDenies(r: Result): void {
  expect(r.authz, `${r.id} reached the waypoint's authorization`).toBeDefined();
  expect(r.authz!.allowed, r.id).toBe(false);
  expect(r.ztunnel, `${r.id} stops at the waypoint`).toBeUndefined();
}

/** examples/bookinfo-canary.yaml in ambient: jason always gets v2, everyone else 90/10, 3 s. */
export const bookinfoAmbient = {
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
    const [v1, v2, from] = this.pods;
    return [
      ambientRequest('jason', from!, reviews!, 9080, { headers: { 'end-user': 'jason' }, server: v2 }),
      ambientRequest('Jason', from!, reviews!, 9080, { headers: { 'end-user': 'Jason' }, server: v1 }),
      ambientRequest('anonymous', from!, reviews!, 9080, { path: '/reviews/1', server: v1 }),
    ];
  },
  check(answer: Answer) {
    const jason = result(answer, 'jason');
    viaWaypoint(jason, 'bookinfo');
    expect(backends(jason)).toEqual({ 'reviews-v2.bookinfo:9080': 100 });
    // 0 is Envoy's "no limit", which istiod writes for a route without timeout (route.go setTimeout);
    // an absent timeout would be Envoy's default of 15 s, so absent must not pass (docs/policy-model.md).
    expect(jason.route?.timeoutMs, 'the testers rule sets no timeout: no time limit').toBe(0);
    ztunnelAllows(jason, 'spiffe://cluster.local/ns/bookinfo/sa/waypoint');
    // exact matches the value case-sensitively: "Jason" is not the tester.
    for (const id of ['Jason', 'anonymous']) {
      const r = result(answer, id);
      viaWaypoint(r, 'bookinfo');
      expect(backends(r), id).toEqual({ 'reviews-v1.bookinfo:9080': 90, 'reviews-v2.bookinfo:9080': 10 });
      expect(r.route?.timeoutMs, id).toBe(3000);
      ztunnelAllows(r, 'spiffe://cluster.local/ns/bookinfo/sa/waypoint');
    }
  },
};

/** examples/zero-trust.yaml in ambient: only productpage may GET /reviews/*, and only via the waypoint. */
export const zeroTrustAmbient = {
  reviews: pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' }),
  productpage: pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage'),
  ratings: pod('bookinfo', 'ratings', { app: 'ratings' }, 'bookinfo-ratings'),
  services: [
    { namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.20', ports: [{ port: 9080 }] },
    { namespace: 'bookinfo', name: 'ratings', ip: '10.96.0.21', ports: [{ port: 9080 }] },
    { namespace: 'bookinfo', name: 'productpage', ip: '10.96.0.22', ports: [{ port: 9080 }] },
  ] as ServiceDef[],
  get world() {
    return { services: this.services, pods: [this.reviews, this.productpage, this.ratings] };
  },
  get calls() {
    const [reviews, ratings] = this.services;
    const { productpage: pp } = this;
    return [
      ambientRequest('pp-get', pp, reviews!, 9080, { path: '/reviews/1', server: this.reviews }),
      ambientRequest('pp-post', pp, reviews!, 9080, {
        method: 'POST',
        path: '/reviews/1',
        server: this.reviews,
      }),
      ambientRequest('pp-other', pp, reviews!, 9080, { path: '/details/1', server: this.reviews }),
      ambientRequest('ratings-get', this.ratings, reviews!, 9080, {
        path: '/reviews/1',
        server: this.reviews,
      }),
      direct('pp-bypass', pp, this.reviews, 9080),
      direct('plaintext', pp, this.reviews, 9080, { plaintext: true }),
      ambientRequest('ratings-plaintext', pp, ratings!, 9080, { plaintext: true, server: this.ratings }),
      ambientRequest('pp-ratings', pp, ratings!, 9080, { server: this.ratings }),
    ];
  },
  check(answer: Answer) {
    const get = result(answer, 'pp-get');
    viaWaypoint(get, 'bookinfo');
    expect(get.authz?.allowed, 'the waypoint lets productpage GET /reviews/*').toBe(true);
    ztunnelAllows(get, 'spiffe://cluster.local/ns/bookinfo/sa/waypoint');
    for (const id of ['pp-post', 'pp-other', 'ratings-get']) waypointDenies(result(answer, id));
    // Going around the waypoint: ztunnel admits only the waypoint's identity at reviews.
    ztunnelDenies(result(answer, 'pp-bypass'));
    // Strict mTLS for the namespace: ztunnel refuses plaintext, also where no AccessPolicy applies.
    ztunnelDenies(result(answer, 'plaintext'));
    ztunnelDenies(result(answer, 'ratings-plaintext'));
    // ratings has no waypoint and no AccessPolicy: mTLS callers reach it.
    const ppRatings = result(answer, 'pp-ratings');
    expect(ppRatings.waypoint).toBeUndefined();
    ztunnelAllows(ppRatings, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  },
};
