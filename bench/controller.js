/**
 * Controller row of `npm run bench` (BENCH_ONLY=controller): `anymesh controller --mesh istio`
 * from cold on N generated TrafficPolicies (bench/generate.js; 1,000 in 50 namespaces), on a real
 * kube-apiserver + etcd started by the integration harness with the Istio and anymesh CRDs and an
 * audit log (--audit-policy-file, level Metadata: every request the server answered, with its
 * verb, URI and User-Agent). Measured:
 *   - cold: from the controller's start until every policy is Programmed for its generation
 *     (goal <= 60 s on 2 cores), with the requests it sent on the way, from the audit log;
 *   - the controller's peak RSS (VmHWM, goal <= 500 MB);
 *   - a resync with nothing changed (--resync-period 20s, one period and a margin watched): the
 *     writes it sent, counted from the audit log (create/update/patch/delete without dryRun, from
 *     User-Agent anymesh/*; goal 0), beside its reads and server-side dry-runs.
 * Beside the cold time: the CPU seconds the controller, kube-apiserver and etcd used in it, to say
 * where the time goes. BENCH_PROFILE=1 runs the controller with --cpu-prof into the bench's work
 * folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { policies } from './generate.js';

const root = join(import.meta.dirname, '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** CPU seconds a process has used (utime + stime of /proc/PID/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The audit events from byte `from` on, parsed (one JSON event a line). */
function auditEvents(file, from = 0) {
  const text = readFileSync(file).subarray(from).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The controller's requests among `events`, by kind: writes, dry-runs, reads, watches. */
function tally(events) {
  const out = { writes: 0, dryRuns: 0, reads: 0, watches: 0, writesByVerb: {} };
  for (const e of events) {
    if (!e.userAgent?.startsWith('anymesh/')) continue;
    if (e.verb === 'watch') out.watches++;
    else if (WRITE_VERBS.has(e.verb)) {
      if (/[?&]dryRun=/.test(e.requestURI)) out.dryRuns++;
      else {
        out.writes++;
        out.writesByVerb[e.verb] = (out.writesByVerb[e.verb] ?? 0) + 1;
      }
    } else out.reads++;
  }
  return out;
}

async function inParallel(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export async function controllerRows(count, log) {
  const { startCluster, crdRoot, installCrds } = await import('../test/integration/harness.ts');
  const { KubeApiError, KubeClient } = await import('../dist/cluster/client.js');
  const { policyCrds } = await import('../dist/controller/crds.js');
  const work = mkdtempSync(join(tmpdir(), 'anymesh-bench-controller-'));
  const audit = join(work, 'audit.log');
  writeFileSync(join(work, 'audit-policy.yaml'), AUDIT_POLICY);
  log(`controller: starting kube-apiserver + etcd (Istio and anymesh CRDs, audit log ${audit})`);
  const cluster = await startCluster({
    crds: join(crdRoot(), 'istio'),
    apiServerArgs: [
      `--audit-policy-file=${join(work, 'audit-policy.yaml')}`,
      `--audit-log-path=${audit}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
    ],
  });
  let proc;
  try {
    await installCrds(cluster.kubeConfig, policyCrds());
    const client = new KubeClient(cluster.kubeConfig);
    const docs = [...policies(count)].map((y) => load(y));
    const namespaces = [...new Set(docs.map((d) => d.metadata.namespace))];
    for (const ns of namespaces) {
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
    log(`controller: creating ${docs.length} TrafficPolicies in ${namespaces.length} namespaces`);
    await inParallel(docs, 8, (d) =>
      client.request(
        'PATCH',
        `/apis/anymesh.dev/v1alpha1/namespaces/${d.metadata.namespace}/trafficpolicies/${d.metadata.name}?fieldManager=bench&force=true`,
        d,
        'application/apply-patch+yaml',
      ),
    );

    const resyncS = 20;
    const coldFrom = readFileSync(audit).length;
    const pids = cluster.pids();
    const cpuBefore = { apiServer: cpuSeconds(pids.kubeApiserver), etcd: cpuSeconds(pids.etcd) };
    log(`controller: starting anymesh controller --mesh istio (resync ${resyncS}s)`);
    const started = Date.now();
    proc = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_PROFILE === '1'
          ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profile')}`]
          : []),
        join(root, 'bin', 'anymesh.js'),
        'controller',
        '--mesh',
        'istio',
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--resync-period',
        `${resyncS}s`,
        '--metrics-bind-address',
        '127.0.0.1:0',
        '--health-probe-bind-address',
        '0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (c) => {
      stderr += c;
    });
    const progress = async () => {
      const list = await client.request('GET', '/apis/anymesh.dev/v1alpha1/trafficpolicies');
      let programmed = 0;
      const refused = [];
      for (const p of list.body.items) {
        if (p.status?.observedGeneration !== p.metadata.generation) continue;
        const cond = (t) => p.status.conditions?.find((c) => c.type === t);
        if (cond('Programmed')?.status === 'True') programmed++;
        else if (cond('Accepted')?.status === 'False')
          refused.push(`${p.metadata.namespace}/${p.metadata.name}: ${cond('Accepted').message}`);
      }
      return { programmed, refused };
    };
    for (;;) {
      const { programmed, refused } = await progress();
      if (refused.length) throw new Error(`${refused.length} policies refused, e.g. ${refused[0]}`);
      if (programmed >= docs.length) break;
      if (proc.exitCode !== null)
        throw new Error(`the controller exited ${proc.exitCode}:\n${stderr.slice(-2000)}`);
      if (Date.now() - started > 600_000)
        throw new Error(`${programmed}/${docs.length} programmed after 600 s:\n${stderr.slice(-2000)}`);
      await sleep(500);
    }
    const coldMs = Date.now() - started;
    // Where the cold time went: CPU of each process against the wall clock (2 cores, shared).
    const coldCpu = {
      controller: +cpuSeconds(proc.pid).toFixed(1),
      apiServer: +(cpuSeconds(pids.kubeApiserver) - cpuBefore.apiServer).toFixed(1),
      etcd: +(cpuSeconds(pids.etcd) - cpuBefore.etcd).toFixed(1),
    };
    const loadAtCold = loadavg();
    const cold = tally(auditEvents(audit, coldFrom));
    log(`controller: ${docs.length} programmed in ${coldMs} ms; watching a resync with nothing changed`);

    const port = Number(/metrics on port (\d+)/.exec(stderr)?.[1]);
    const reconciles = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^anymesh_reconcile_total\{result="success"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    // The status writes' own watch echoes settle first.
    await sleep(5_000);
    const resyncFrom = readFileSync(audit).length;
    const before = await reconciles();
    await sleep((resyncS + 10) * 1000);
    const resyncReconciles = (await reconciles()) - before;
    const resync = tally(auditEvents(audit, resyncFrom));
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    return {
      policies: docs.length,
      namespaces: namespaces.length,
      apiServer: cluster.version,
      coldMs,
      loadAtCold: loadAtCold.map((x) => +x.toFixed(2)),
      coldRequests: cold,
      coldCpuSeconds: coldCpu,
      peakRssMb: Math.round(hwm / 1024),
      resyncSeconds: resyncS + 10,
      resyncReconciles,
      resyncRequests: resync,
      ...(process.env.BENCH_PROFILE === '1' ? { profileDir: join(work, 'profile') } : {}),
    };
  } finally {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await cluster.stop();
    if (process.env.BENCH_PROFILE !== '1') rmSync(work, { recursive: true, force: true });
  }
}
