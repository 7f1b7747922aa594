/**
 * Istio behaviour, ambient data plane: an HTTP/2 policy whose rule's backend is the service itself
 * (no versions). The waypoint routes to the service's inbound-vip cluster, which takes the
 * service's DestinationRule connection pool and upgrades on h2UpgradePolicy UPGRADE
 * (pilot/pkg/networking/core/cluster_waypoint.go buildWaypointInboundVIPCluster -> applyH2Upgrade).
 * Before anymesh wrote that DestinationRule for ambient, this cluster spoke HTTP/1.1 (the service
 * port of this world declares nothing), though the policy says the backend speaks h2c.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ambientClusterYaml, compileAmbientText } from './ambient-world.js';
import { type Answer, askIstio } from './driver.js';
import { caller, catalogService } from './protocol-expectations.js';
import { pod, result } from './world.js';

describe('ambient: an http2 policy routing to the service itself', () => {
  const catalog = catalogService();
  const server = pod('shop', 'catalog-v1', { app: 'catalog', version: 'v1' });
  const web = pod('shop', 'web', { app: 'web' });
  const compiled = compileAmbientText(`apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: catalog-h2, namespace: shop}
spec:
  service: catalog
  port: 8080
  protocol: http2
  selector: {app: catalog}
  rules: [{timeout: 3s}]
`);
  const call = caller('ambient');
  let answer: Answer;
  beforeAll(async () => {
    answer = await askIstio(
      ambientClusterYaml(compiled.yaml, [catalog], [server, web]),
      [
        call('self', web, catalog, 8080, { path: '/items/7', server }),
        call('self-h2', web, catalog, 8080, { path: '/items/7', http2: true, server }),
      ],
      true,
      true,
    );
  });
  it('reaches the pods over HTTP/2 through the waypoint, for HTTP/1.1 and HTTP/2 callers', () => {
    for (const id of ['self', 'self-h2']) {
      const r = result(answer, id);
      expect(r.error, id).toBeUndefined();
      expect(r.route?.timeoutMs, id).toBe(3000);
      const clusters = r.route?.clusters ?? [];
      expect(clusters.length, `${id}: the route has a cluster`).toBeGreaterThan(0);
      for (const c of clusters)
        expect(
          r.route?.clusterSettings?.[c.cluster]?.upstreamProtocol,
          `${id}: ${c.cluster} speaks HTTP/2`,
        ).toBe('http2');
    }
  });
});
