/**
 * `node bench/controller.js` (after `npm run build`): the controller from cold on 1,000
 * TrafficPolicies in 50 namespaces. Needs a cluster with the Istio and anymesh CRDs, named by
 * ANYMESH_BENCH_KUBECONFIG (e.g. the integration harness's, kept with ANYMESH_TEST_KEEP_DIR=1, then
 * `anymesh crds | kubectl apply -f -`). Reports the time until every policy is Programmed for its
 * current generation (goal <= 60 s on 2 cores), the controller's peak RSS (goal <= 500 MB) and the
 * writes a resync with nothing changed sends (goal 0), from the controller's own request counter
 * (anymesh_writes_total); counting them from the API server's audit log needs the server started
 * with --audit-policy-file, which this script cannot do to a running cluster. Never run by tests.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { KubeApiError, KubeClient } from '../dist/cluster/client.js';
import { loadKubeTarget } from '../dist/cluster/kubeconfig.js';
import { policies } from './generate.js';

const KUBECONFIG = process.env.ANYMESH_BENCH_KUBECONFIG;
if (!KUBECONFIG) {
  console.error('set ANYMESH_BENCH_KUBECONFIG to a cluster with the Istio and anymesh CRDs');
  process.exit(2);
}
const COUNT = Number(process.env.BENCH_POLICIES) || 1_000;
const RESYNC_S = 20;
const client = new KubeClient(loadKubeTarget({ kubeconfig: KUBECONFIG }).config);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const docs = [...policies(COUNT)].map((y) => load(y));
for (const ns of new Set(docs.map((d) => d.metadata.namespace))) {
  try {
    await client.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
  }
}
for (const d of docs) {
  const path = `/apis/anymesh.dev/v1alpha1/namespaces/${d.metadata.namespace}/trafficpolicies/${d.metadata.name}`;
  await client.request('PATCH', `${path}?fieldManager=bench&force=true`, d, 'application/apply-patch+yaml');
}

const started = Date.now();
const proc = spawn(
  process.execPath,
  [
    join(import.meta.dirname, '..', 'bin', 'anymesh.js'),
    'controller',
    '--mesh',
    'istio',
    '--kubeconfig',
    KUBECONFIG,
    '--resync-period',
    `${RESYNC_S}s`,
    '--metrics-bind-address',
    '127.0.0.1:0',
    '--health-probe-bind-address',
    '0',
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let log = '';
proc.stderr.on('data', (c) => {
  log += c;
});
const programmed = async () => {
  const list = await client.request('GET', '/apis/anymesh.dev/v1alpha1/trafficpolicies');
  return list.body.items.filter(
    (p) =>
      p.status?.observedGeneration === p.metadata.generation &&
      p.status?.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True'),
  ).length;
};
while ((await programmed()) < COUNT) {
  if (Date.now() - started > 600_000) throw new Error(`not converged after 600 s:\n${log.slice(-2000)}`);
  await sleep(500);
}
const coldMs = Date.now() - started;
const port = Number(/metrics on port (\d+)/.exec(log)?.[1]);
const writes = async () =>
  Number(
    /^anymesh_writes_total (\d+)/m.exec(
      await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    )?.[1] ?? 0,
  );
await sleep(5_000);
const before = await writes();
await sleep((RESYNC_S + 10) * 1000);
const after = await writes();
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0);
proc.kill('SIGTERM');
console.log(`${COUNT} policies from cold: ${(coldMs / 1000).toFixed(1)} s (goal <= 60 s)`);
console.log(`controller peak RSS: ${(hwm / 1024).toFixed(0)} MB (goal <= 500 MB)`);
console.log(`resync with nothing changed: ${after - before} writes (goal 0)`);
