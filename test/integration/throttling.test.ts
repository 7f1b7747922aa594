// Throttling: a real kube-apiserver answering 429 Too Many Requests (with Retry-After) because its
// in-flight limits are tiny. apply must wait as asked, retry, and finish with every object written
// once. The server is started for this file alone, with API Priority and Fairness off so that the
// plain --max-*-requests-inflight limits apply, and the apply runs as an ordinary user: the in-flight
// limit exempts system:masters, as the harness's admin is.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { apply } from '../../src/cluster/apply.js';
import { KubeClient } from '../../src/cluster/client.js';
import { loadKubeTarget } from '../../src/cluster/kubeconfig.js';
import { session } from '../../src/cluster/session.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { ensureNamespace, listIstio, policyFile, trafficPolicy } from './apply-support.js';
import { type Cluster, crdRoot, startCluster } from './harness.js';

const NS = 'am-throttle';
let cluster: Cluster;
let deployer = '';
beforeAll(async () => {
  cluster = await startCluster({
    crds: join(crdRoot(), 'istio'),
    apiServerArgs: [
      '--enable-priority-and-fairness=false',
      '--max-mutating-requests-inflight=1',
      '--max-requests-inflight=1',
    ],
  });
  await ensureNamespace(cluster.kubeConfig, NS);
  deployer = await cluster.createUser('deployer', {
    rules: [{ apiGroups: ['', 'networking.istio.io'], resources: ['*'], verbs: ['*'] }],
  });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a throttling API server', () => {
  it('is waited for (Retry-After) and retried until every object is applied exactly once', async () => {
    const file = policyFile(
      'throttle.yaml',
      Array.from({ length: 20 }, (_, i) => trafficPolicy(NS, `t-${i}`)).join(''),
    );
    const compiled = compileFiles([file], ADAPTERS.istio!);
    expect(compiled.ok).toBe(true);
    const client = new KubeClient(loadKubeTarget({ kubeconfig: deployer }).config, {
      retry: { retries: 50, minTimeoutMs: 50, maxTimeoutMs: 500 },
    });
    const report = await apply(session(client, NS), compiled.resources, {
      applySet: { name: 'throttle', namespace: NS },
      tooling: 'anymesh/test',
      mesh: 'istio',
      concurrency: 16,
    });
    expect(report.diagnostics).toEqual([]);
    expect(report.ok).toBe(true);
    // The server did throttle (the test proves nothing otherwise), and apply rode it out.
    expect(client.stats.throttled).toBeGreaterThan(0);
    // And the client sent fewer at once: the server lets one request in, the limit came down to it.
    expect(client.inFlight.lowest).toBeLessThanOrEqual(2);
    process.stderr.write(
      `[throttling] 40 objects: ${client.stats.throttled} answers were 429, ${client.stats.writes} writes, ${client.stats.dryRuns} dry runs\n`,
    );
    expect((await listIstio(cluster.kubeConfig, 'virtualservices', NS)).size).toBe(20);
    expect((await listIstio(cluster.kubeConfig, 'destinationrules', NS)).size).toBe(20);
  });
});
