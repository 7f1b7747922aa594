// Faults: the API server stops in the middle of an apply. The apply fails with a clear error that
// says how far it got, and the next apply converges: nothing lost, nothing duplicated. A server
// that comes back while the requests are being retried (p-retry, backoff) needs no second run.
// Restarting the API server would disrupt the shared cluster, so this file starts its own.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { apply } from '../../src/cluster/apply.js';
import { KubeClient } from '../../src/cluster/client.js';
import { session } from '../../src/cluster/session.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { ensureNamespace, listIstio, policyFile, trafficPolicy } from './apply-support.js';
import { type Cluster, crdRoot, startCluster } from './harness.js';

const NS = 'am-faults';
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ crds: join(crdRoot(), 'istio') });
  await ensureNamespace(cluster.kubeConfig, NS);
});
afterAll(async () => {
  await cluster?.stop();
});

function compile(count: number, prefix: string): KubeObject[] {
  const file = policyFile(
    'many.yaml',
    Array.from({ length: count }, (_, i) => trafficPolicy(NS, `${prefix}-${i}`)).join(''),
  );
  const r = compileFiles([file], ADAPTERS.istio!);
  expect(r.ok).toBe(true);
  return r.resources;
}

const opts = (name: string) => ({
  applySet: { name, namespace: NS },
  tooling: 'anymesh/test',
  mesh: 'istio',
  concurrency: 1,
});

describe('API server faults', () => {
  it('stopped mid-apply: a clear error, and the next apply converges', async () => {
    const resources = compile(10, 'stop'); // 20 objects
    const s = session(
      new KubeClient(cluster.kubeConfig, { retry: { retries: 2, minTimeoutMs: 100, maxTimeoutMs: 200 } }),
      NS,
    );
    const report = await apply(s, resources, {
      ...opts('stop'),
      onProgress: async (e) => {
        if (e.phase === 'write' && e.done === 5) await cluster.stopApiServer();
      },
    });
    expect(report.ok).toBe(false);
    const codes = report.diagnostics.map((d) => d.code);
    expect(codes).toEqual(['AM5002', 'AM5011']);
    expect(report.diagnostics[0]!.message).toContain(
      `cannot reach the API server at ${cluster.server}: ECONNREFUSED`,
    );
    expect(report.diagnostics[0]!.message).toContain('3 attempts');
    expect(report.diagnostics[1]!.message).toBe(
      '6 of 21 writes were made before the failure; run the same apply again to converge',
    );
    expect(report.objects.filter((o) => o.written)).toHaveLength(5);

    await cluster.startApiServer();
    const s2 = session(new KubeClient(cluster.kubeConfig), NS);
    const again = await apply(s2, resources, opts('stop'));
    expect(again.ok, JSON.stringify(again.diagnostics)).toBe(true);
    const actions = again.objects.map((o) => o.action);
    expect(actions.filter((a) => a === 'unchanged')).toHaveLength(5);
    expect(actions.filter((a) => a === 'created')).toHaveLength(15);
    // Exactly one of each, all labelled as members of the set.
    const vs = await listIstio(cluster.kubeConfig, 'virtualservices', NS);
    const dr = await listIstio(cluster.kubeConfig, 'destinationrules', NS);
    expect([...vs.keys()].filter((n) => n.startsWith('stop-')).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `stop-${i}`).sort(),
    );
    expect([...dr.keys()].filter((n) => n.startsWith('stop-'))).toHaveLength(10);
    const third = await apply(session(new KubeClient(cluster.kubeConfig), NS), resources, opts('stop'));
    expect(third.requests.writes).toBe(0);
  });

  it('a server back within the retry budget: the same apply completes, with retries', async () => {
    const resources = compile(4, 'back'); // 8 objects
    const s = session(
      new KubeClient(cluster.kubeConfig, { retry: { retries: 10, minTimeoutMs: 200, maxTimeoutMs: 1000 } }),
      NS,
    );
    let restarted: Promise<void> | undefined;
    const report = await apply(s, resources, {
      ...opts('back'),
      onProgress: async (e) => {
        if (e.phase === 'write' && e.done === 3) {
          await cluster.stopApiServer();
          restarted = new Promise((done) => setTimeout(done, 1000)).then(() => cluster.startApiServer());
        }
      },
    });
    await restarted;
    expect(report.ok, JSON.stringify(report.diagnostics)).toBe(true);
    expect(report.requests.retries).toBeGreaterThan(0);
    expect(report.objects.filter((o) => o.written)).toHaveLength(8);
    process.stderr.write(
      `[faults] apply across an API server restart: ${report.requests.retries} retries, ${report.requests.writes} writes\n`,
    );
  });
});
