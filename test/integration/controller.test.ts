// `anymesh controller --mesh istio` on the shared real kube-apiserver, run as a child process of
// the built CLI: policies created, updated and deleted through the API server make, change and
// remove native objects, with conditions at each step; a refused feature is Degraded with its
// field path and applies nothing; two conflicting policies are Conflicted both; an object made by
// someone else is never taken over; an out-of-band edit is reverted (and an Event says so) within
// 30 s; /healthz, /readyz and /metrics answer (the metrics parsed as a scraper reads them);
// SIGTERM stops it cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/controller/metrics.js';
import { parseExposition } from '../support/prom-text.js';
import { client, drPath, ensureNamespace, sharedClusterNamespace, vsPath } from './apply-support.js';
import {
  buildOnce,
  canary,
  conditionOf,
  getOrUndefined,
  installPolicyCrds,
  type RunningController,
  startController,
  tpPath,
  trafficPolicyObject,
  until,
  waitCondition,
} from './controller-support.js';

const NS = 'ctl-it';
const { kc, cluster } = sharedClusterNamespace(NS);
let ctl: RunningController;
const c = () => client(cluster.kubeConfig);

interface Vs {
  metadata: {
    name: string;
    resourceVersion: string;
    managedFields?: { manager: string }[];
    labels?: Record<string, string>;
  };
  spec: { http: { timeout?: string; route: { weight?: number }[] }[] };
}

beforeAll(async () => {
  buildOnce();
  await installPolicyCrds(cluster.kubeConfig);
  await ensureNamespace(cluster.kubeConfig, NS);
  ctl = startController([
    '--mesh',
    'istio',
    '--kubeconfig',
    kc,
    '--namespace',
    NS,
    '--drift',
    'revert',
    '--resync-period',
    '4s',
  ]);
});

afterAll(async () => {
  if (ctl) expect(await ctl.stop('SIGTERM'), ctl.log()).toBe(0);
});

describe('anymesh controller', () => {
  it('serves /healthz, /readyz and /metrics', async () => {
    const ports = await ctl.ports();
    await until(async () => (await fetch(`http://127.0.0.1:${ports.health}/readyz`)).ok, 20_000, '/readyz');
    expect((await fetch(`http://127.0.0.1:${ports.health}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    expect(metrics).toContain('# TYPE anymesh_reconcile_total counter');
    expect(metrics).toContain('anymesh_workqueue_depth');
  });

  it('create -> objects appear with Accepted and Programmed; update -> they change; delete -> they go', async () => {
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'reviews', canary('reviews', '3s')));
    const p = await waitCondition(c(), NS, 'reviews', 'Programmed', 'True');
    expect(conditionOf(p, 'Accepted')?.status).toBe('True');
    expect(conditionOf(p, 'Degraded')?.status).toBe('False');
    expect(conditionOf(p, 'Conflicted')?.status).toBe('False');
    expect(p.status?.mesh).toBe('istio');
    expect(p.status?.objects?.map((o) => o.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
    const vs = await getOrUndefined<Vs>(c(), vsPath(NS, 'reviews'));
    expect(vs?.spec.http[0]?.timeout).toBe('3s');
    expect(vs?.metadata.managedFields?.some((f) => f.manager === 'anymesh-controller')).toBe(true);
    expect(await getOrUndefined(c(), drPath(NS, 'reviews'))).toBeDefined();

    const live = p;
    await c().request('PUT', tpPath(NS, 'reviews'), {
      ...trafficPolicyObject(NS, 'reviews', canary('reviews', '5s')),
      metadata: live.metadata,
    });
    const p2 = await waitCondition(c(), NS, 'reviews', 'Programmed', 'True');
    expect(p2.status?.observedGeneration).toBe(2);
    await until(
      async () => (await getOrUndefined<Vs>(c(), vsPath(NS, 'reviews')))?.spec.http[0]?.timeout === '5s',
      30_000,
      'timeout 5s',
    );

    await c().request('DELETE', tpPath(NS, 'reviews'));
    await until(
      async () => !(await getOrUndefined(c(), vsPath(NS, 'reviews'))),
      30_000,
      'VirtualService pruned',
    );
    expect(await getOrUndefined(c(), drPath(NS, 'reviews'))).toBeUndefined();
  });

  it('a refused feature -> Accepted False, Degraded True with the field path and code, nothing applied', async () => {
    const spec = { ...canary('ratings'), sources: [{ serviceAccount: 'frontend' }] };
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'ratings', spec));
    const p = await waitCondition(c(), NS, 'ratings', 'Degraded', 'True');
    const degraded = conditionOf(p, 'Degraded')!;
    expect(degraded.reason).toBe('UnsupportedField');
    expect(degraded.message).toContain('spec.sources[0].serviceAccount: AM3001');
    expect(conditionOf(p, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedField' });
    expect(conditionOf(p, 'Programmed')?.status).toBe('False');
    expect(p.status?.objects).toEqual([]);
    expect(await getOrUndefined(c(), vsPath(NS, 'ratings'))).toBeUndefined();
    await c().request('DELETE', tpPath(NS, 'ratings'));
  });

  it('two conflicting policies -> Conflicted on both; what the first made is kept, not changed', async () => {
    const a = { service: 'details', rules: [{ name: 'all', timeout: '1s' }] };
    const b = { service: 'details', rules: [{ name: 'all', timeout: '2s' }] };
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'details-a', a));
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'details-b', b));
    for (const name of ['details-a', 'details-b']) {
      const p = await waitCondition(c(), NS, name, 'Conflicted', 'True');
      expect(conditionOf(p, 'Conflicted')?.reason).toBe('Conflict');
      expect(conditionOf(p, 'Conflicted')?.message).toContain('AM3011');
      expect(conditionOf(p, 'Accepted')?.status).toBe('False');
    }
    // details-a was applied before details-b came: its VirtualService stays as it was (the
    // controller keeps, never prunes, what an invalid policy made), and b's 2s is nowhere.
    const vs = await getOrUndefined<Vs>(c(), vsPath(NS, 'details'));
    expect(vs?.spec.http.map((h) => h.timeout)).toEqual(['1s']);
    // Removing one resolves the other.
    await c().request('DELETE', tpPath(NS, 'details-b'));
    await waitCondition(c(), NS, 'details-a', 'Programmed', 'True');
    await waitCondition(c(), NS, 'details-a', 'Conflicted', 'False');
    await c().request('DELETE', tpPath(NS, 'details-a'));
  });

  it('an object someone else made is never taken over: Conflicted (NameCollision)', async () => {
    await c().request('POST', `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'productpage', namespace: NS },
      spec: { hosts: ['productpage'], http: [{ route: [{ destination: { host: 'elsewhere' } }] }] },
    });
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'productpage', canary('productpage')));
    const p = await waitCondition(c(), NS, 'productpage', 'Conflicted', 'True');
    expect(conditionOf(p, 'Conflicted')?.reason).toBe('NameCollision');
    expect(conditionOf(p, 'Conflicted')?.message).toContain(`VirtualService ${NS}/productpage`);
    const vs = await getOrUndefined<{ spec: { http: { route: { destination: { host: string } }[] }[] } }>(
      c(),
      vsPath(NS, 'productpage'),
    );
    expect(vs?.spec.http[0]?.route[0]?.destination.host).toBe('elsewhere');
    await c().request('DELETE', tpPath(NS, 'productpage'));
    await c().request('DELETE', vsPath(NS, 'productpage'));
  });

  it('drift: an out-of-band edit is reverted within 30 s, and an Event says so', async () => {
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'cart', canary('cart', '3s')));
    await waitCondition(c(), NS, 'cart', 'Programmed', 'True');
    await until(
      async () => (await getOrUndefined<Vs>(c(), vsPath(NS, 'cart')))?.spec.http[0]?.timeout === '3s',
      20_000,
      'VS',
    );
    const edited = Date.now();
    await c().request(
      'PATCH',
      `${vsPath(NS, 'cart')}?fieldManager=kubectl-edit`,
      {
        spec: {
          http: [
            {
              timeout: '9s',
              route: [{ destination: { host: 'cart.ctl-it.svc.cluster.local', subset: 'v1' }, weight: 100 }],
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    await until(
      async () => (await getOrUndefined<Vs>(c(), vsPath(NS, 'cart')))?.spec.http[0]?.timeout === '3s',
      30_000,
      'reverted',
    );
    const took = Date.now() - edited;
    process.stderr.write(`[controller] drift reverted in ${took} ms\n`);
    expect(took).toBeLessThan(30_000);
    const vs = await getOrUndefined<Vs>(c(), vsPath(NS, 'cart'));
    expect(vs?.spec.http[0]?.route.map((r) => r.weight)).toEqual([90, 10]);
    await until(
      async () => {
        const evs = await c().request<{ items: { reason: string; involvedObject: { name: string } }[] }>(
          'GET',
          `/api/v1/namespaces/${NS}/events`,
        );
        return evs.body.items.some((e) => e.reason === 'DriftReverted' && e.involvedObject.name === 'cart');
      },
      10_000,
      'DriftReverted event',
    );
    await c().request('DELETE', tpPath(NS, 'cart'));
  });

  it('a resync with nothing changed sends no write (statuses equal, objects unchanged)', async () => {
    await c().request('POST', tpPath(NS), trafficPolicyObject(NS, 'steady', canary('steady')));
    await waitCondition(c(), NS, 'steady', 'Programmed', 'True');
    const { metrics } = await ctl.ports();
    const read = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      return {
        writes: Number(/^anymesh_writes_total (\d+)/m.exec(text)?.[1] ?? 0),
        reconciles: Number(/^anymesh_reconcile_total\{result="success"\} (\d+)/m.exec(text)?.[1] ?? 0),
      };
    };
    await new Promise((r) => setTimeout(r, 3_000)); // the status write's own echo settles
    const before = await read();
    await new Promise((r) => setTimeout(r, 10_000)); // at least two resyncs (--resync-period 4s)
    const after = await read();
    process.stderr.write(
      `[controller] resync: ${after.reconciles - before.reconciles} reconciles, ${after.writes - before.writes} writes\n`,
    );
    expect(after.reconciles - before.reconciles).toBeGreaterThanOrEqual(2);
    expect(after.writes - before.writes).toBe(0);
  });

  it('/metrics is Prometheus text from prom-client: every metric typed, counts that add up, process metrics', async () => {
    const { metrics } = await ctl.ports();
    const res = await fetch(`http://127.0.0.1:${metrics}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const e = parseExposition(await res.text());
    for (const [name, def] of Object.entries(METRICS)) expect(e.types.get(name), name).toBe(def.type);
    // The earlier tests reconciled, wrote and reverted drift in this namespace.
    const ok = e.value('anymesh_reconcile_total', { result: 'success' }) ?? 0;
    const failed = e.value('anymesh_reconcile_total', { result: 'error' }) ?? 0;
    expect(ok).toBeGreaterThan(2);
    expect(e.value('anymesh_reconcile_errors_total')).toBe(failed);
    // Every reconcile is timed once; a sample lands in the buckets at or above it.
    const h = 'anymesh_reconcile_duration_seconds';
    const count = e.value(`${h}_count`) ?? -1;
    expect(count).toBeGreaterThanOrEqual(ok + failed); // reconciles may finish between the two reads
    expect(e.value(`${h}_bucket`, { le: '+Inf' })).toBe(count);
    expect(e.value(`${h}_sum`)).toBeGreaterThan(0);
    const buckets = e.samples.filter((x) => x.name === `${h}_bucket`).map((x) => x.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b)); // cumulative
    expect(e.value('anymesh_writes_total')).toBeGreaterThan(0);
    expect(e.value('anymesh_drift_total', { action: 'reverted' })).toBeGreaterThanOrEqual(1);
    expect(e.value('anymesh_leader')).toBe(1); // no --leader-elect: it leads
    expect(e.value('anymesh_workqueue_depth')).toBeGreaterThanOrEqual(0);
    expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(e.value('process_start_time_seconds')).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(e.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });
});
