/**
 * Cluster rows, against a real kube-apiserver + etcd started by the integration harness
 * (test/integration/harness.ts, binaries from ~/.cache/anymesh/bin) with Istio's CRDs:
 *   - anymesh apply of N Istio objects (first apply), beside kubectl apply --server-side run once
 *     per object (serially, as a script would; timed on a sample and scaled to N) and beside one
 *     `kubectl apply --server-side -f` of all N;
 *   - the re-apply with nothing changed (its requests, from `-o json`), `diff` on the same set,
 *     `status` with N policy objects on the cluster, and `delete`.
 * kubectl comes from scripts/bench-tools.sh (built from the Go module proxy, cached). Each tool
 * writes into namespaces of its own, so every first apply creates everything.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInputs } from './inputs.js';
import { median, timeProcess } from './stats.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'anymesh.js');

function kubectlPath() {
  const out = execFileSync('bash', [join(root, 'scripts', 'bench-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return /ANYMESH_KUBECTL=(.*)/.exec(out)?.[1]?.trim();
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere). */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export async function clusterRows(objects, serialSample, log) {
  const kubectl = kubectlPath();
  const { startCluster, crdRoot } = await import('../test/integration/harness.ts');
  log(`cluster: starting kube-apiserver + etcd (Istio CRDs); kubectl ${kubectl}`);
  const cluster = await startCluster({ crds: join(crdRoot(), 'istio') });
  const work = mkdtempSync(join(tmpdir(), 'anymesh-bench-cluster-'));
  const policies = writeInputs(Math.ceil(objects / 2), 'anymesh-bench-cluster-in-');
  try {
    const kc = cluster.kubeconfigPath;
    // The API server's and etcd's CPU during a run: what a request costs the server, and the
    // floor that leaves on this machine's cores (server CPU / cores), whatever the client does.
    const { kubeApiserver, etcd } = cluster.pids();
    const serverCpu = () => (cpuMs(kubeApiserver) ?? Number.NaN) + (cpuMs(etcd) ?? Number.NaN);
    const withServerCpu = (run) => {
      const before = serverCpu();
      const r = run();
      return { ...r, serverCpuMs: serverCpu() - before };
    };
    const any = (args, opts) =>
      withServerCpu(() => timeProcess(process.execPath, [bin, ...args, '--kubeconfig', kc], opts));
    const kctl = (args) => withServerCpu(() => timeProcess(kubectl, [...args, '--kubeconfig', kc]));

    // What kubectl applies: anymesh's own output, moved to namespaces of kubectl's own.
    const compiled = timeProcess(process.execPath, [
      bin,
      'compile',
      '-f',
      policies,
      '--mesh',
      'istio',
    ]).stdout;
    const docs = compiled.split(/^---\n/m).filter((d) => d.trim());
    const namespaces = [...new Set([...compiled.matchAll(/^ {2}namespace: (\S+)$/gm)].map((m) => m[1]))];
    const nsYaml = ['', 'ks-', 'kb-']
      .flatMap((p) =>
        namespaces.map((n) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${p}${n}}\n`),
      )
      .join('');
    writeFileSync(join(work, 'ns.yaml'), nsYaml);
    kctl(['apply', '--server-side', '-f', join(work, 'ns.yaml')]);
    const moved = (prefix, d) => d.replace(/^( {2}namespace: )(\S+)$/m, `$1${prefix}$2`);

    log(`cluster: anymesh apply of ${docs.length} objects`);
    const apply = ['apply', '-f', policies, '--mesh', 'istio', '-o', 'json'];
    const first = any(apply);
    const firstJson = JSON.parse(first.stdout);
    // The no-op re-apply, diff and status are short: three interleaved runs each, the median.
    // BENCH_CLUSTER_ROUNDS: more rounds when the ratio of two short runs is what is asked.
    const rounds = Number(process.env.BENCH_CLUSTER_ROUNDS) || 3;
    const runs = { again: [], diff: [], status: [], againCpu: [], diffCpu: [] };
    let againJson;
    for (let r = 0; r < rounds; r++) {
      const a = any(apply);
      againJson = JSON.parse(a.stdout);
      runs.again.push(a.ms);
      runs.againCpu.push(a.cpuMs);
      const d = any(['diff', '-f', policies, '--mesh', 'istio']);
      runs.diff.push(d.ms);
      runs.diffCpu.push(d.cpuMs);
      runs.status.push(any(['status', '-o', 'json'], { allowFail: true }).ms);
    }
    const again = { ms: median(runs.again), cpuMs: median(runs.againCpu) };
    const diff = { ms: median(runs.diff), cpuMs: median(runs.diffCpu) };
    const status = { ms: median(runs.status) };

    log(`cluster: kubectl apply --server-side, one call per object (a sample of ${serialSample})`);
    const sample = docs.slice(0, serialSample);
    let serialMs = 0;
    sample.forEach((d, i) => {
      const f = join(work, `one-${i}.yaml`);
      writeFileSync(f, moved('ks-', d));
      serialMs += kctl(['apply', '--server-side', '-f', f]).ms;
    });
    const serialAll = (serialMs / sample.length) * docs.length;

    log('cluster: kubectl apply --server-side -f, one call for all');
    writeFileSync(join(work, 'all.yaml'), docs.map((d) => `---\n${moved('kb-', d)}`).join(''));
    const bulk = kctl(['apply', '--server-side', '-f', join(work, 'all.yaml')]);

    const del = any(['delete', '-f', policies, '--mesh', 'istio']);
    const ms = (x) => Math.round(x);
    return {
      objects: docs.length,
      namespaces: namespaces.length,
      apiServer: cluster.version,
      firstApplyMs: ms(first.ms),
      firstApplyRequests: firstJson.requests,
      firstApplyServerCpuMs: ms(first.serverCpuMs),
      // anymesh's own CPU in the first apply (compile, JSON, TLS): on a machine whose cores the
      // server and the client share, it is time the server cannot have.
      firstApplyClientCpuMs: ms(first.cpuMs),
      kubectlBulkClientCpuMs: ms(bulk.cpuMs),
      cores: cpus().length,
      reapplyMs: ms(again.ms),
      // The client's own CPU (median), and every round's wall time: the ratio of two ~0.7 s runs
      // moved from 0.9 to 1.14 between runs on a shared machine.
      reapplyCpuMs: ms(again.cpuMs),
      diffCpuMs: ms(diff.cpuMs),
      rounds,
      reapplyRunsMs: runs.again.map(ms),
      diffRunsMs: runs.diff.map(ms),
      reapplyRequests: againJson.requests,
      reapplyUnchanged: againJson.summary?.unchanged,
      diffMs: ms(diff.ms),
      statusMs: ms(status.ms),
      deleteMs: ms(del.ms),
      kubectlSerialMs: ms(serialAll),
      kubectlSerialSample: sample.length,
      kubectlBulkMs: ms(bulk.ms),
      kubectlBulkServerCpuMs: ms(bulk.serverCpuMs),
      ratios: {
        firstVsSerial: +(serialAll / first.ms).toFixed(1),
        firstVsBulk: +(first.ms / bulk.ms).toFixed(2),
        // The least first apply / kubectl -f could be here with the server's CPU alone on every core.
        floorVsBulk: +(first.serverCpuMs / cpus().length / bulk.ms).toFixed(2),
        // The same with anymesh's own CPU added: near firstVsBulk, the first apply is CPU-bound here.
        cpuFloorVsBulk: +((first.serverCpuMs + first.cpuMs) / cpus().length / bulk.ms).toFixed(2),
        reapplyVsFirst: +(again.ms / first.ms).toFixed(2),
        diffVsReapply: +(diff.ms / again.ms).toFixed(2),
        diffVsReapplyCpu: +(diff.cpuMs / again.cpuMs).toFixed(2),
      },
    };
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(policies, { recursive: true, force: true });
  }
}
