// Linkerd failure accrual on a real API server: a BackendPolicy's outlier detection becomes
// annotations on the user's own Service, which apply sets (owning only them), and which neither
// prune nor delete ever removes the Service for.
import { describe, expect, it } from 'vitest';
import { type ApplyJson, client, cliJson, get, policyFile, sharedClusterNamespace } from './apply-support.js';

const NS = 'am-accrual';
const { cluster, kc } = sharedClusterNamespace(NS);
const base = ['--mesh', 'linkerd', '--kubeconfig', kc, '-n', NS];
const servicePath = `/api/v1/namespaces/${NS}/services/reviews`;

const backend = (errors: number) => `apiVersion: anymesh.dev/v1alpha1
kind: BackendPolicy
metadata: {name: reviews, namespace: ${NS}}
spec:
  service: reviews
  outlierDetection: {consecutiveErrors: ${errors}, baseEjectionTime: 10s}
`;

type Svc = { metadata: { annotations?: Record<string, string> }; spec: { ports: { port: number }[] } };

describe('Linkerd failure accrual (BackendPolicy outlierDetection)', () => {
  it('is refused by the dry run while the user has no Service, and nothing is written', async () => {
    const r = await cliJson<ApplyJson>(['apply', '-f', policyFile('b.yaml', backend(3)), ...base]);
    expect(r.code).toBe(1);
    expect(await get(cluster.kubeConfig, servicePath)).toBeUndefined();
  });

  it("annotates the user's Service, keeps its spec, and delete leaves the Service", async () => {
    await client(cluster.kubeConfig).request('POST', `/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reviews', namespace: NS, annotations: { team: 'books' } },
      spec: { selector: { app: 'reviews' }, ports: [{ port: 9080 }] },
    });
    const r = await cliJson<ApplyJson>(['apply', '-f', policyFile('b.yaml', backend(3)), ...base]);
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    const svc = (await get(cluster.kubeConfig, servicePath)) as Svc;
    expect(svc.metadata.annotations).toEqual({
      team: 'books',
      'balancer.linkerd.io/failure-accrual': 'consecutive',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '3',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '10s',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '5m',
    });
    expect(svc.spec.ports.map((p) => p.port)).toEqual([9080]);
    // A changed policy changes the annotation; the same one again writes nothing.
    expect((await cliJson<ApplyJson>(['apply', '-f', policyFile('b.yaml', backend(7)), ...base])).code).toBe(
      0,
    );
    const again = await cliJson<ApplyJson>(['apply', '-f', policyFile('b.yaml', backend(7)), ...base]);
    expect(again.json.requests.writes).toBe(0);
    const changed = (await get(cluster.kubeConfig, servicePath)) as Svc;
    expect(
      changed.metadata.annotations?.['balancer.linkerd.io/failure-accrual-consecutive-max-failures'],
    ).toBe('7');
    // Delete removes what anymesh made, never the user's Service.
    const del = await cliJson<ApplyJson>(['delete', '-f', policyFile('b.yaml', backend(7)), ...base]);
    expect(del.code).toBe(0);
    expect(await get(cluster.kubeConfig, servicePath)).toBeDefined();
  });
});
