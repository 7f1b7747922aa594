// The controller under disturbance, on a cluster of its own (it restarts the API server): killed
// mid-reconcile and restarted it converges with no object lost or doubled; two replicas elect one
// leader, and when the leader is killed the other takes over the lease duration after the leader's
// last renewal (read from the Lease's own renewTime and acquireTime), and when the leader is
// stopped with SIGTERM it releases the Lease and a standby takes it at once; the API server
// restarted under a running controller, its watches resume and new policies are reconciled.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Informer } from '../../src/controller/watch.js';
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

const LEASE_S = 6;
const HA_ARGS = [
  '--namespace',
  NS,
  '--leader-elect',
  '--leader-election-namespace',
  NS,
  '--lease-duration',
  `${LEASE_S}s`,
];
/** A write's way from the writer's clock to a watcher, plus the taker's GET and PUT, on 2 busy cores. */
const WRITE_SLACK_MS = 1_000;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** metav1.MicroTime in ms (the microseconds dropped). */
const micro = (t: string | undefined) => Date.parse(t ?? '');

/** Every revision of the controller's Lease, in order, as a watch delivers them. */
function leaseHistory() {
  const specs: LeaseSpec[] = [];
  const waiting: (() => void)[] = [];
  const stop = new AbortController();
  const informer = new Informer(c(), `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, {
    fieldSelector: 'metadata.name=anymesh-controller-istio',
    onEvent: (type, obj) => {
      if (type !== 'DELETED') specs.push((obj as unknown as { spec: LeaseSpec }).spec);
      for (const w of waiting.splice(0)) w();
    },
  });
  void informer.run(stop.signal);
  return {
    specs,
    last: () => specs.at(-1),
    /** Resolves as the next revision arrives (in the watch's own callback, not on a poll). */
    next: () => new Promise<void>((done) => waiting.push(done)),
    stop: () => stop.abort(),
  };
}

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
    // When the first run wrote everything before the kill, the conditions above hold before the
    // second process has even started; a SIGTERM then lands before its handler exists (exit by
    // signal, not 0). Its ports are logged after the handler is installed.
    await second.ports();
    running.splice(0);
    expect(await second.stop('SIGTERM')).toBe(0); // a clean stop: exit 0
  });

  it('two replicas: one leader; the leader killed right after a renewal, the other takes over the lease duration after it (Lease fields)', async () => {
    const history = leaseHistory();
    try {
      const a = start(HA_ARGS);
      const b = start(HA_ARGS);
      const leaderOf = () => [a, b].filter((r) => r.log().includes('leading (lease'));
      await until(() => leaderOf().length >= 1, 30_000, 'a leader');
      await new Promise((r) => setTimeout(r, 5_000));
      expect(leaderOf()).toHaveLength(1); // never both
      const leader = leaderOf()[0]!;
      const standby = leader === a ? b : a;
      const holder = history.last()!.holderIdentity!;
      expect(leader.log()).toContain(`identity ${holder}`);
      // Killed the moment a renewal lands: the worst case for a standby that polls (it would see
      // the renewal up to a retry period late, and the expiry up to another one late).
      await history.next();
      leader.proc.kill('SIGKILL');
      const taken = await until(
        () => history.specs.find((x) => x.holderIdentity && x.holderIdentity !== holder),
        30_000,
        'the standby takes the Lease',
      );
      const lastRenewal = history.specs.filter((x) => x.holderIdentity === holder).at(-1)!;
      const gapMs = micro(taken.acquireTime) - micro(lastRenewal.renewTime);
      process.stderr.write(
        `[controller-ha] SIGKILL: taken ${gapMs} ms after the last renewal (lease ${LEASE_S} s, retry period 2 s)\n`,
      );
      expect(taken.leaseTransitions).toBe((lastRenewal.leaseTransitions ?? 0) + 1);
      // Not before the lease ran out (the standby counts from when it saw the renewal, which is
      // after the leader stamped it) ...
      expect(gapMs).toBeGreaterThanOrEqual(LEASE_S * 1000);
      // ... and within it, up to the time a write takes to reach a watcher and the takeover's own
      // GET and PUT (a standby on the 2 s retry tick took 6.6-7.3 s after the kill, up to 10 s after
      // the renewal).
      expect(gapMs).toBeLessThanOrEqual(LEASE_S * 1000 + WRITE_SLACK_MS);
      expect(standby.log()).toContain(`identity ${taken.holderIdentity}`);
      await until(() => standby.log().includes('leading (lease'), 10_000, 'the standby leads');
      // The new leader reconciles: a new policy is programmed.
      await c().request(
        'POST',
        tpPath(NS),
        trafficPolicyObject(NS, 'after-failover', canary('after-failover')),
      );
      await waitCondition(c(), NS, 'after-failover', 'Programmed', 'True', 30_000);

      // SIGTERM: the leader releases the Lease as client-go does, and a standby takes it at once.
      const third = start(HA_ARGS);
      await third.ports(); // started; it watches the Lease from its first attempt on
      await until(() => third.log().includes('anymesh controller'), 10_000, 'third replica up');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await standby.stop('SIGTERM')).toBe(0);
      const released = await until(
        () => history.specs.find((x) => !x.holderIdentity),
        5_000,
        `a released Lease in ${JSON.stringify(history.specs)}`,
      );
      expect(released.leaseDurationSeconds).toBe(1);
      expect(standby.log()).toContain('released lease');
      const next = await until(
        () => history.specs.find((x, i) => i > history.specs.indexOf(released) && x.holderIdentity),
        10_000,
        'the third replica takes the released Lease',
      );
      expect(third.log()).toContain(`identity ${next.holderIdentity}`);
      const handoverMs = micro(next.acquireTime) - micro(released.renewTime);
      process.stderr.write(`[controller-ha] SIGTERM: taken ${handoverMs} ms after the release\n`);
      expect(handoverMs).toBeLessThanOrEqual(WRITE_SLACK_MS);
      for (const r of running.splice(0)) await r.stop('SIGTERM');
    } finally {
      history.stop();
    }
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
