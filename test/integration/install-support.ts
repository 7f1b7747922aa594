// The environment the install tests share: their own cluster (kube-apiserver + etcd from the harness,
// no shared CRDs), kube-controller-manager + kube-scheduler (Deployments become pods bound to a node,
// Services get EndpointSlices) and kwok (a simulated node whose pods become Running/Ready without a
// kubelet), all built by scripts/test-tools.sh; the real helm CLI; and a chart repository on
// 127.0.0.1 serving test charts shaped like the meshes' real ones (test/charts/), or a mesh's real
// charts from a folder (Istio's, from the module istio.io/istio: scripts/istio-charts.sh).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';
import { type Cluster, kubeRequest, startCluster } from './harness.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.ANYMESH_CACHE ?? join(homedir(), '.cache', 'anymesh');

/** The tool paths scripts/test-tools.sh recorded in tools.env. */
export function tools(): Record<string, string> {
  const file = join(cache, 'tools.env');
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run \`bash scripts/test-tools.sh\` once (builds helm, kwok, kube-controller-manager and kube-scheduler from the Go module proxy)`,
    );
  }
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  for (const k of [
    'ANYMESH_HELM',
    'ANYMESH_KWOK',
    'ANYMESH_KUBE_CONTROLLER_MANAGER',
    'ANYMESH_KUBE_SCHEDULER',
  ]) {
    if (!out[k] || !existsSync(out[k]!))
      throw new Error(`${k} not built: run \`bash scripts/test-tools.sh\``);
  }
  return out;
}

/**
 * Istio's own charts (base, istio-control/istio-discovery, istio-cni, ztunnel) from the module
 * istio.io/istio the behaviour driver pins, fetched into the Go module cache by
 * scripts/istio-charts.sh (a warm cache answers in milliseconds).
 */
export function istioCharts(): string {
  try {
    return execFileSync('bash', [join(repoRoot, 'scripts/istio-charts.sh')], {
      encoding: 'utf8',
    }).trim();
  } catch (e) {
    throw new Error(
      `Istio's charts are not available: run \`bash scripts/istio-charts.sh\` (needs Go and the module proxy once): ${(e as Error).message}`,
    );
  }
}

export type { CliResult } from '../support/cli.js';

/** Runs the anymesh CLI in-process and collects what it prints. */
export const cli = (...argv: string[]) => runCli(argv);

/** A chart to package into the test repository, under one or more versions. */
export interface TestChart {
  /** Folder under test/charts, or an absolute path (a real chart, e.g. from istioCharts()). */
  readonly path: string;
  /** [chart version, app version] pairs; none: the Chart.yaml's own. */
  readonly versions?: readonly (readonly [string, string])[];
}

export interface InstallEnv {
  readonly cluster: Cluster;
  /** Temporary folder: component logs (`<name>.log`), helm state, the chart repository. */
  readonly work: string;
  readonly repoUrl: string;
  readonly tools: Record<string, string>;
  /** `--kubeconfig <admin kubeconfig>` for CLI calls. */
  kc(): string[];
  /** Server-side applies an object as field manager `test`. */
  apply(obj: Record<string, unknown>, path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startInstallEnv(name: string, charts: readonly TestChart[]): Promise<InstallEnv> {
  const t = tools();
  process.env.ANYMESH_HELM = t.ANYMESH_HELM;
  const work = await mkdtemp(join(tmpdir(), `anymesh-${name}-`));
  // helm's own state (repository cache) stays in the test's temp dir.
  process.env.HELM_CACHE_HOME = join(work, 'helm-cache');
  process.env.HELM_CONFIG_HOME = join(work, 'helm-config');
  process.env.HELM_DATA_HOME = join(work, 'helm-data');
  const procs: ChildProcess[] = [];
  const startProc = (proc: string, bin: string, args: string[]): void => {
    const log = openSync(join(work, `${proc}.log`), 'a');
    // Like the harness: the kernel kills the child when this process dies, whatever the reason.
    const setpriv = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'setpriv')));
    const [cmd, ...rest] = setpriv ? ['setpriv', '--pdeathsig', 'KILL', '--', bin, ...args] : [bin, ...args];
    const child = spawn(cmd!, rest, { stdio: ['ignore', log, log] });
    procs.push(child);
    process.on('exit', () => child.kill('SIGKILL'));
  };

  const cluster = await startCluster({ crds: false });
  const kubeconfig = cluster.kubeconfigPath;
  startProc('kube-controller-manager', t.ANYMESH_KUBE_CONTROLLER_MANAGER!, [
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--use-service-account-credentials=false',
    '--controllers=deployment,replicaset,statefulset,daemonset,endpointslice,endpoint,garbagecollector,namespace,serviceaccount,nodelifecycle',
    '--concurrent-deployment-syncs=2',
    // kwok renews the simulated node's heartbeat from this test's machine: on 2 loaded cores it can
    // fall more than the default 50 s behind, and the node lifecycle controller then marks the node
    // and every pod on it not Ready mid-test (seen once: the ambient install's final readiness
    // check). The node never really fails here, so a stale heartbeat must not count for minutes.
    '--node-monitor-grace-period=10m',
  ]);
  startProc('kube-scheduler', t.ANYMESH_KUBE_SCHEDULER!, [
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  startProc('kwok', t.ANYMESH_KWOK!, [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=true',
    `--config=${t.ANYMESH_KWOK_STAGES}`,
    '--cidr=10.244.0.0/16',
    '--node-ip=127.0.0.2',
  ]);
  // One simulated node, as kwok's docs create it.
  await kubeRequest(cluster.kubeConfig, 'POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'kwok-node-0',
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': 'kwok-node-0', 'kubernetes.io/os': 'linux' },
    },
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  });

  // Chart repository: the test charts packaged, indexed, served on loopback.
  const repoDir = join(work, 'repo');
  await mkdir(repoDir, { recursive: true });
  for (const chart of charts) {
    const dir = isAbsolute(chart.path) ? chart.path : join(repoRoot, 'test/charts', chart.path);
    for (const [version, appVersion] of chart.versions ?? [[]]) {
      const versionArgs = version && appVersion ? ['--version', version, '--app-version', appVersion] : [];
      execFileSync(t.ANYMESH_HELM!, ['package', dir, ...versionArgs, '-d', repoDir]);
    }
  }
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(repoDir, (req.url ?? '/').replace(/\.\.+/g, '').split('?')[0]!));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const repoUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  execFileSync(t.ANYMESH_HELM!, ['repo', 'index', repoDir, '--url', repoUrl]);

  return {
    cluster,
    work,
    repoUrl,
    tools: t,
    kc: () => ['--kubeconfig', cluster.kubeconfigPath],
    apply: async (obj, path) => {
      await kubeRequest(
        cluster.kubeConfig,
        'PATCH',
        `${path}?fieldManager=test&force=true`,
        obj,
        'application/apply-patch+yaml',
      );
    },
    stop: async () => {
      for (const p of procs) p.kill('SIGTERM');
      server.close();
      await cluster.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
