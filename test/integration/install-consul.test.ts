// `anymesh install consul / status / uninstall` against a real cluster, as install.test.ts does for
// Istio and Linkerd: kube-apiserver + etcd from the harness, kube-controller-manager, kube-scheduler and
// kwok (pods become Running/Ready without a kubelet), real helm, and the Consul-shaped test chart under
// test/charts/consul/consul (see test/charts/README.md) packaged for both catalogue versions and served
// from a chart repository on 127.0.0.1.
//
// Its own cluster, without the shared CRDs: it installs and removes the consul.hashicorp.com CRDs and
// must start from a cluster with no mesh.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, kubeRequest, logTail, startCluster } from './harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.ANYMESH_CACHE ?? join(homedir(), '.cache', 'anymesh');

function tools(): Record<string, string> {
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

let cluster: Cluster;
let work: string;
let repoUrl: string;
let server: Server;
const procs: ChildProcess[] = [];
let t: Record<string, string>;

function startProc(name: string, bin: string, args: string[]): void {
  const log = openSync(join(work, `${name}.log`), 'a');
  // Like the harness: the kernel kills the child when this process dies, whatever the reason.
  const setpriv = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'setpriv')));
  const [cmd, ...rest] = setpriv ? ['setpriv', '--pdeathsig', 'KILL', '--', bin, ...args] : [bin, ...args];
  const child = spawn(cmd!, rest, { stdio: ['ignore', log, log] });
  procs.push(child);
  process.on('exit', () => child.kill('SIGKILL'));
}

interface CliResult {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<CliResult> {
  const { run } = await import('../../src/cli/main.js');
  let out = '';
  let err = '';
  const code = await run(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    stdin: () => Buffer.from(''),
    interactive: false,
  });
  return { code, out, err };
}

const kc = () => ['--kubeconfig', cluster.kubeconfigPath];

async function apply(obj: Record<string, unknown>, path: string): Promise<void> {
  await kubeRequest(
    cluster.kubeConfig,
    'PATCH',
    `${path}?fieldManager=test&force=true`,
    obj,
    'application/apply-patch+yaml',
  );
}

beforeAll(async () => {
  t = tools();
  process.env.ANYMESH_HELM = t.ANYMESH_HELM;
  work = await mkdtemp(join(tmpdir(), 'anymesh-install-consul-test-'));
  // helm's own state (repository cache) stays in the test's temp dir.
  process.env.HELM_CACHE_HOME = join(work, 'helm-cache');
  process.env.HELM_CONFIG_HOME = join(work, 'helm-config');
  process.env.HELM_DATA_HOME = join(work, 'helm-data');

  cluster = await startCluster({ crds: false });
  const kubeconfig = cluster.kubeconfigPath;
  startProc('kube-controller-manager', t.ANYMESH_KUBE_CONTROLLER_MANAGER!, [
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--use-service-account-credentials=false',
    '--controllers=deployment,replicaset,statefulset,daemonset,endpointslice,endpoint,garbagecollector,namespace,serviceaccount,nodelifecycle',
    '--concurrent-deployment-syncs=2',
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

  // Chart repository: the test charts packaged for both catalogue versions, indexed, served on loopback.
  const repoDir = join(work, 'repo');
  await mkdir(repoDir, { recursive: true });
  // Both catalogue versions: chart 2.0.3 (Consul 2.0.3, per the consul-k8s v2.0.3 chart's appVersion) and chart 1.2.3 (Consul 1.16.3).
  for (const [version, appVersion] of [
    ['2.0.3', '2.0.3'],
    ['1.2.3', '1.16.3'],
  ]) {
    execFileSync(t.ANYMESH_HELM!, [
      'package',
      join(repoRoot, 'test/charts/consul/consul'),
      '--version',
      version!,
      '--app-version',
      appVersion!,
      '-d',
      repoDir,
    ]);
  }
  server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(repoDir, (req.url ?? '/').replace(/\.\.+/g, '').split('?')[0]!));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  repoUrl = `http://127.0.0.1:${port}`;
  execFileSync(t.ANYMESH_HELM!, ['repo', 'index', repoDir, '--url', repoUrl]);
}, 300_000);

afterAll(async () => {
  for (const p of procs) p.kill('SIGTERM');
  server?.close();
  await cluster?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('install consul, status, uninstall (real helm, kwok, kube-controller-manager)', () => {
  it('installs Consul 2.0.3 (chart 2.0.3): CRDs, the server StatefulSet, the injector and its webhook are ready', async () => {
    const r = await cli('install', 'consul', '--repo', repoUrl, ...kc(), '--timeout', '60s', '-o', 'json');
    expect(
      r.code,
      `${r.err}\nkcm: ${logTail(join(work, 'kube-controller-manager.log'), 10)}\nkwok: ${logTail(join(work, 'kwok.log'), 10)}`,
    ).toBe(0);
    expect(r.err).toMatch(/\[1\/1\] consul \(consul 2\.0\.3\): helm upgrade --install/);
    expect(r.err).toMatch(/ready: StatefulSet consul\/consul-server \(1\/1 ready\)/);
    expect(r.err).toMatch(/ready: Deployment consul\/consul-connect-injector \(Available, 1\/1 ready\)/);
    const result = JSON.parse(r.out);
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['consul:installed'],
    );
    expect(result.readiness.filter((x: { ready: boolean }) => !x.ready)).toEqual([]);
    expect(result.readiness.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`)).toEqual(
      expect.arrayContaining([
        'CustomResourceDefinition/servicedefaults.consul.hashicorp.com',
        'CustomResourceDefinition/serviceintentions.consul.hashicorp.com',
        'StatefulSet/consul-server',
        'Deployment/consul-connect-injector',
        'MutatingWebhookConfiguration/consul-connect-injector',
      ]),
    );
    // The catalogue's default values reached the chart: objects are named consul-<component>.
    const injector = await kubeRequest(
      cluster.kubeConfig,
      'GET',
      '/apis/apps/v1/namespaces/consul/deployments/consul-connect-injector',
    );
    expect(JSON.stringify(injector)).toContain('hashicorp/consul-k8s-control-plane:2.0.3');
  });

  it('status reports Consul installed by anymesh, healthy, with its version and meshed namespaces', async () => {
    await apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'hashicups', labels: { 'consul.hashicorp.com/connect-inject': 'true' } },
      },
      '/api/v1/namespaces/hashicups',
    );
    const r = await cli('status', ...kc(), '--mesh', 'consul', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out).meshes[0];
    expect(s).toMatchObject({
      mesh: 'consul',
      installed: true,
      installedBy: 'anymesh',
      namespace: 'consul',
      version: '2.0.3',
      healthy: true,
      namespaces: ['hashicups'],
      crds: { present: 5, expected: 5 },
    });
    expect(s.releases.map((x: { name: string; version: string }) => `${x.name}@${x.version}`)).toEqual([
      'consul@2.0.3',
    ]);
    const table = await cli('status', ...kc());
    expect(table.out).toMatch(/^consul\s+yes\s+anymesh\s+consul\s+2\.0\.3\s+yes\s+hashicups\s+0$/m);
    expect(table.out).toMatch(/^istio\s+no\s+-/m);
  });

  it('uninstall removes the release, and with it the CRDs', async () => {
    const u = await cli('uninstall', 'consul', ...kc());
    expect(u.code, u.err).toBe(0);
    expect(u.err).toContain('removed consul/consul');
    const s = JSON.parse((await cli('status', ...kc(), '--mesh', 'consul', '-o', 'json')).out).meshes[0];
    expect(s.installed).toBe(false);
    const crd = await kubeRequest(
      cluster.kubeConfig,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicedefaults.consul.hashicorp.com',
    ).catch((e) => e);
    expect(crd.code).toBe(404);
  });
});
