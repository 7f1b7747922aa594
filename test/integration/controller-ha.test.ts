// The controller under disturbance, on a cluster of its own (it restarts the API server): killed
// mid-reconcile and restarted it converges with no object lost or doubled; two replicas elect one
// leader, and when the leader is killed the other takes over within the lease duration (plus one
// retry period, the candidate's polling interval); the API server restarted under a running
// controller, its watches resume and new policies are reconciled.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, ensureNamespace } from './apply-support.js';
import {
  buildOnce,
  canary,
  getOrUndefined,
  installPolicyCrds,
  type PolicyObj,
  type RunningController,
  startController,
  tpPath,
  trafficPolicyObject,
  until,
  waitCondition,
} from './controller-support.js';
import { type Cluster, crdRoot, startCluster } from './harness.js';

const NS = 'ctl-ha';
let cluster: Cluster;
const running: RunningController[] = [];
const c = () => client(cluster.kubeConfig);
const start = (args: string[]) => {
  const r = startController(['--mesh', 'istio', '--kubeconfig', cluster.kubeconfigPath, ...args]);
  running.push(r);
  return r;
};

async function count(plural: string): Promise<string[]> {
  const r = await c().request<{ items: { metadata: { name: string } }[] }>(
    'GET',
    `/apis/networking.istio.io/v1/namespaces/${NS}/${plural}`,
  );
  return r.body.items.map((i) => i.metadata.name).sort();
}

beforeAll(async () => {
  buildOnce();
  cluster = await startCluster({ crds: join(crdRoot(), 'istio') });
  await installPolicyCrds(cluster.kubeConfig);
  await ensureNamespace(cluster.kubeConfig, NS);
});

afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  await cluster?.stop();
});

describe('anymesh controller under disturbance', () => {
  it('killed mid-reconcile and restarted: converges, no object lost or doubled', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    for (const n of names) await c().request('POST', tpPath(NS), trafficPolicyObject(NS, n, canary(n)));
    const first = start(['--namespace', NS]);
    // Kill it as soon as the first objects are written, before all are.
    await until(async () => (await count('virtualservices')).length > 0, 60_000, 'first VirtualService');
    first.proc.kill('SIGKILL');
    await first.stop();
    const partial = (await count('virtualservices')).length;
    process.stderr.write(`[controller-ha] killed with ${partial}/${names.length} VirtualServices written\n`);
    const second = start(['--namespace', NS]);
    for (const n of names) await waitCondition(c(), NS, n, 'Programmed', 'True', 60_000);
    expect(await count('virtualservices')).toEqual(names);
    expect(await count('destinationrules')).toEqual(names);
    running.splice(0);
    expect(await second.stop('SIGTERM')).toBe(0); // a clean stop: exit 0
  });

  it('two replicas: one leader; the leader killed, the other leads within the lease duration plus one retry period', async () => {
    const args = [
      '--namespace',
      NS,
      '--leader-elect',
      '--leader-election-namespace',
      NS,
      '--lease-duration',
      '6s',
    ];
    const a = start(args);
    const b = start(args);
    const leaderOf = () => [a, b].filter((r) => r.log().includes('leading (lease'));
    await until(() => leaderOf().length >= 1, 30_000, 'a leader');
    await new Promise((r) => setTimeout(r, 5_000));
    expect(leaderOf()).toHaveLength(1); // never both
    const leader = leaderOf()[0]!;
    const standby = leader === a ? b : a;
    const lease = await getOrUndefined<{ spec: { holderIdentity: string } }>(
      c(),
      `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/anymesh-controller-istio`,
    );
    expect(leader.log()).toContain(lease!.spec.holderIdentity);
    const killed = Date.now();
    leader.proc.kill('SIGKILL');
    await until(() => standby.log().includes('leading (lease'), 30_000, 'failover');
    const took = Date.now() - killed;
    process.stderr.write(`[controller-ha] failover in ${took} ms (lease 6 s, retry period 2 s)\n`);
    expect(took).toBeLessThanOrEqual(8_000);
    // The new leader reconciles: a new policy is programmed.
    await c().request(
      'POST',
      tpPath(NS),
      trafficPolicyObject(NS, 'after-failover', canary('after-failover')),
    );
    await waitCondition(c(), NS, 'after-failover', 'Programmed', 'True', 30_000);
    for (const r of running.splice(0)) await r.stop('SIGTERM');
  });

  it('the API server restarted: watches resume and new policies are reconciled', async () => {
    const r = start(['--namespace', NS]);
    try {
      await waitCondition(c(), NS, 'after-failover', 'Programmed', 'True', 30_000);
      await cluster.stopApiServer();
      await new Promise((done) => setTimeout(done, 2_000));
      await cluster.startApiServer();
      await c().request(
        'POST',
        tpPath(NS),
        trafficPolicyObject(NS, 'after-restart', canary('after-restart')),
      );
      // Only a resumed watch sees it in time: the full resync is 10 minutes away. (Whether the
      // watch ended with an error, logged as "retrying", or cleanly when the server closed it
      // depends on how the connection died; both resume.)
      const p: PolicyObj = await waitCondition(c(), NS, 'after-restart', 'Programmed', 'True', 60_000);
      expect(p.status?.objects?.length).toBe(2);
    } finally {
      // A controller left running would fight the next test's (it reverts drift by default).
      expect(await r.stop('SIGTERM')).toBe(0);
    }
  });

  it('--drift=report: an out-of-band edit is left as it is and reported as Programmed=False (Drifted)', async () => {
    const r = start(['--namespace', NS, '--drift', 'report']);
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'reported', canary('reported', '3s')));
    await waitCondition(c(), NS, 'reported', 'Programmed', 'True', 30_000);
    const vsPath = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/reported`;
    await c().request(
      'PATCH',
      `${vsPath}?fieldManager=kubectl-edit`,
      { spec: { http: [{ timeout: '9s', route: [{ destination: { host: 'reported' } }] }] } },
      'application/merge-patch+json',
    );
    const p = await until(
      async () => {
        const x = await getOrUndefined<PolicyObj>(c(), tpPath(NS, 'reported'));
        const cond = x?.status?.conditions?.find((k) => k.type === 'Programmed');
        return cond?.reason === 'Drifted' ? cond : undefined;
      },
      30_000,
      'Programmed=False Drifted',
    );
    expect(p.status).toBe('False');
    expect(p.message).toContain(`VirtualService ${NS}/reported`);
    const vs = await getOrUndefined<{ spec: { http: { timeout: string }[] } }>(c(), vsPath);
    expect(vs?.spec.http[0]?.timeout).toBe('9s');
    expect(await r.stop('SIGTERM')).toBe(0);
  });
});
