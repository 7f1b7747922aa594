// Real-cluster test harness: a kube-apiserver backed by etcd on loopback, with the official mesh CRDs
// installed. No mocks: the integration tier exists to run the API server's own validation (OpenAPI
// schemas, CEL rules, RBAC, server-side apply) against what anymesh produces.
//
//   const cluster = await startCluster();          // ~10-30 s: processes, certificates, CRDs
//   cluster.kubeconfigPath / cluster.kubeConfig    // admin (system:masters), context "anymesh-test"
//   await cluster.createUser('viewer', { rules })  // kubeconfig of a client-certificate user
//   await cluster.stopApiServer(); await cluster.startApiServer();   // same port, same etcd
//   await cluster.stop();                          // kills both processes, removes the temp dir
//
// Test files run in vitest workers, not in the global-setup process that owns the shared cluster, so
// `attachCluster(kubeconfigPath)` gives them what they can safely use from elsewhere (kubeconfig,
// createUser, versions). A test that restarts the API server starts its own cluster instead of
// disrupting the shared one.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1CustomResourceDefinition,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The kubeconfig context every harness kubeconfig uses. */
export const CONTEXT_NAME = 'anymesh-test';
/** Field manager for objects the harness itself applies (CRDs, RBAC for extra users). */
export const HARNESS_FIELD_MANAGER = 'anymesh-test-harness';

// ---------------------------------------------------------------------------------------------------
// Binaries

export interface Assets {
  kubeApiserver: string;
  etcd: string;
  /** Where they were found, for error messages and logs. */
  source: string;
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.ANYMESH_CACHE ?? join(homedir(), '.cache', 'anymesh');
}

function isFile(path: string | undefined): path is string {
  return path !== undefined && path !== '' && existsSync(path);
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

/**
 * Finds kube-apiserver and etcd in the envtest order: TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD,
 * KUBEBUILDER_ASSETS, /usr/local/kubebuilder/bin, then what scripts/test-assets.sh cached.
 */
export function findAssets(env: NodeJS.ProcessEnv = process.env): Assets {
  if (isFile(env.TEST_ASSET_KUBE_APISERVER) && isFile(env.TEST_ASSET_ETCD)) {
    return {
      kubeApiserver: env.TEST_ASSET_KUBE_APISERVER,
      etcd: env.TEST_ASSET_ETCD,
      source: 'TEST_ASSET_*',
    };
  }
  for (const [dir, source] of [
    [env.KUBEBUILDER_ASSETS, 'KUBEBUILDER_ASSETS'],
    ['/usr/local/kubebuilder/bin', '/usr/local/kubebuilder/bin'],
  ] as const) {
    if (dir && isFile(join(dir, 'kube-apiserver')) && isFile(join(dir, 'etcd'))) {
      return { kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd'), source };
    }
  }
  const envFile = join(cacheDir(env), 'assets.env');
  if (existsSync(envFile)) {
    const vars = parseEnvFile(readFileSync(envFile, 'utf8'));
    if (isFile(vars.TEST_ASSET_KUBE_APISERVER) && isFile(vars.TEST_ASSET_ETCD)) {
      return { kubeApiserver: vars.TEST_ASSET_KUBE_APISERVER, etcd: vars.TEST_ASSET_ETCD, source: envFile };
    }
  }
  throw new Error(
    'No kube-apiserver/etcd for the integration tests. Run `bash scripts/test-assets.sh` once (it builds ' +
      'them from the Go module proxy and caches them; 5-10 minutes the first time on 2 cores), or point ' +
      'TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD, or KUBEBUILDER_ASSETS, at existing binaries. ' +
      `Looked at TEST_ASSET_*, KUBEBUILDER_ASSETS, /usr/local/kubebuilder/bin and ${envFile}.`,
  );
}

/** `kube-apiserver --version` prints "Kubernetes v1.37.2"; returns "v1.37.2". */
export async function binaryVersion(kubeApiserver: string): Promise<string> {
  const { stdout } = await execFileAsync(kubeApiserver, ['--version']);
  return stdout.trim().replace(/^Kubernetes\s+/, '');
}

// ---------------------------------------------------------------------------------------------------
// Processes

/**
 * Processes and temp dirs of clusters not stopped yet: if the Node process exits without stop() (an
 * uncaught error, process.exit in a test), the children are SIGKILLed and the dirs removed.
 */
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL and rmSync are what works from here.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    if (process.env.ANYMESH_TEST_KEEP_DIR === '1') return;
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Last `lines` lines of a log file, for error messages. */
export function logTail(path: string, lines = 40): string {
  try {
    const all = readFileSync(path, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A child process whose stdout and stderr go to a log file that survives restarts (appended). */
class Managed {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitInfo: string | undefined;
  /** Highest VmHWM seen across all runs of this process (restarts included), in KiB. */
  peakRssKiB = 0;

  readonly name: string;
  readonly logPath: string;
  private readonly bin: string;
  private readonly args: readonly string[];

  // Plain fields rather than parameter properties: this file stays runnable with Node's type stripping.
  constructor(name: string, bin: string, args: readonly string[], logPath: string) {
    this.name = name;
    this.bin = bin;
    this.args = args;
    this.logPath = logPath;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** Why the process is not running, or undefined while it runs. */
  get exitReason(): string | undefined {
    return this.exitInfo;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    installExitHook();
    const fd = openSync(this.logPath, 'a');
    const [cmd, ...args] = [...deathSignalWrapper(), this.bin, ...this.args];
    const child = spawn(cmd!, args, { stdio: ['ignore', fd, fd], env: childEnv() });
    closeSync(fd); // the child has its own copy
    this.child = child;
    this.exitInfo = undefined;
    live.add(child);
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        live.delete(child);
        done();
      });
      child.once('error', (err) => {
        this.exitInfo = `failed to start: ${err.message}`;
        live.delete(child);
        done();
      });
    });
  }

  /** Reads VmHWM (peak resident set) from /proc while the process is alive. */
  sampleRss(): void {
    if (!this.running || this.pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      this.peakRssKiB = Math.max(this.peakRssKiB, kib);
    } catch {
      // Gone already, or not Linux: nothing to record.
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.sampleRss();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * `setpriv --pdeathsig KILL --` (util-linux) makes the kernel SIGKILL the child when the Node process
 * dies, whatever the reason. vitest ends on Ctrl-C without running globalSetup teardowns or 'exit'
 * handlers, which otherwise leaves kube-apiserver and etcd running. setpriv execs the binary, so the
 * pid stays the binary's own. Without setpriv the 'exit' hook is all there is.
 */
function deathSignalWrapper(): string[] {
  if (process.platform !== 'linux') return [];
  const found = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'setpriv')));
  return found ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
}

/** The children get a minimal environment: nothing from the developer's kube setup leaks in. */
function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir() };
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; the tiny race until the child binds is accepted). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` until it returns true; fails early when `proc` dies, with its log tail. */
async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, proc: Managed) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!proc.running) {
      throw new Error(
        `${proc.name} ${proc.exitReason ?? 'is not running'} while waiting for ${what}. ` +
          `Log ${proc.logPath}:\n${logTail(proc.logPath)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}. ` +
      `Log ${proc.logPath}:\n${logTail(proc.logPath)}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Certificates (Debian's openssl: Node's crypto makes keys but cannot issue X.509 certificates)

interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  saPub: string;
  saKey: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    const hint = e.code === 'ENOENT' ? ' (openssl is not installed: apt-get install openssl)' : '';
    throw new Error(`openssl ${args[0]} failed${hint}: ${e.stderr ?? e.message}`);
  }
}

/** A P-256 key and a certificate for `subject` signed by the cluster CA, valid for a day. */
async function issueCert(pki: Pick<Pki, 'caCert' | 'caKey'>, base: string, subject: string, ext: string[]) {
  const cert = `${base}.crt`;
  const key = `${base}.key`;
  // `req -x509 -CA` (OpenSSL 3) makes and signs the certificate in one step, extensions included.
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    subject,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    ...ext.flatMap((e) => ['-addext', e]),
  ]);
  return { cert, key };
}

async function makePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '1',
    '-subj',
    '/CN=anymesh-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const serving = await issueCert({ caCert, caKey }, join(dir, 'serving'), '/CN=kube-apiserver', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  // Service-account token signing key pair (the API server refuses to start without one).
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', saKey]);
  await openssl(['pkey', '-in', saKey, '-pubout', '-out', saPub]);
  return { caCert, caKey, servingCert: serving.cert, servingKey: serving.key, saPub, saKey };
}

/** A client certificate: CN is the user name, each O a group (how kube-apiserver reads x509 identities). */
async function issueClientCert(
  pki: Pick<Pki, 'caCert' | 'caKey'>,
  base: string,
  user: string,
  groups: string[],
) {
  for (const part of [user, ...groups]) {
    // '/' and '=' would break openssl's -subj syntax; Kubernetes names do not need them.
    if (!/^[A-Za-z0-9:._@-]+$/.test(part)) throw new Error(`unsupported user or group name: ${part}`);
  }
  const subject = `/CN=${user}${groups.map((g) => `/O=${g}`).join('')}`;
  return issueCert(pki, base, subject, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
}

// ---------------------------------------------------------------------------------------------------
// Kubeconfig

async function writeKubeconfig(
  path: string,
  server: string,
  caCert: string,
  user: string,
  cert: string,
  key: string,
) {
  const b64 = async (f: string) => (await readFile(f)).toString('base64');
  // Data embedded, not file paths: the file keeps working when copied or read from another cwd.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': await b64(caCert) } }],
    users: [
      { name: user, user: { 'client-certificate-data': await b64(cert), 'client-key-data': await b64(key) } },
    ],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
  };
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 }); // JSON is valid YAML
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

// ---------------------------------------------------------------------------------------------------
// CRDs

/**
 * Which CRD files the integration cluster gets, relative to the shared CRD directory.
 *
 * Left out, because a CRD name can be installed once and these would replace or fight with others:
 * - gateway-api/experimental/: the same ten CRD names as gateway-api/standard (experimental-channel
 *   schemas). anymesh targets the standard channel, which is what a production cluster usually has.
 * - linkerd/gateway-api/: Linkerd's bundled copy of Gateway API v1.1.1 HTTPRoute/GRPCRoute/TCPRoute/
 *   TLSRoute, names identical to gateway-api/standard. Linkerd's chart does not install them by default
 *   (installGatewayAPI: false) and expects the upstream Gateway API CRDs, i.e. the standard ones.
 * - smi/: SMI is archived and no adapter targets it; besides, smi-sdk-go/split.yaml and
 *   linkerd-smi/trafficsplit-crd.yaml both define trafficsplits.split.smi-spec.io.
 * selectCrdFiles still checks that what remains has no duplicate names, so a new upstream copy that
 * collides fails loudly instead of silently overwriting another CRD.
 */
export const EXCLUDED_CRD_DIRS = ['gateway-api/experimental/', 'linkerd/gateway-api/', 'smi/'] as const;

export function crdRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.ANYMESH_CRDS ?? join(repoRoot, '..', 'shared', 'crds'));
}

async function yamlFilesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

export interface CrdFile {
  /** Path relative to the CRD root, e.g. "istio/crd-all.gen.yaml". */
  file: string;
  crds: V1CustomResourceDefinition[];
}

/** Parses every CRD document of one file (empty documents skipped; anything else is an error). */
export async function readCrdFile(root: string, file: string): Promise<CrdFile> {
  const docs = parseAllDocuments(await readFile(join(root, file), 'utf8'));
  const crds: V1CustomResourceDefinition[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as V1CustomResourceDefinition | null;
    if (obj === null) continue;
    if (obj.kind !== 'CustomResourceDefinition') throw new Error(`${file}: a ${obj.kind}, not a CRD`);
    crds.push(obj);
  }
  return { file, crds };
}

/**
 * Every CRD file under `root` except EXCLUDED_CRD_DIRS, or, with `folders` (a descriptor's
 * `crdFolders`, e.g. Istio's istio + gateway-api/experimental), every file under those folders;
 * throws if two define the same CRD name.
 */
export async function selectCrdFiles(
  root: string = crdRoot(),
  folders?: readonly string[],
): Promise<CrdFile[]> {
  if (!existsSync(root)) throw new Error(`CRD directory ${root} does not exist (set ANYMESH_CRDS)`);
  const files = (await yamlFilesUnder(root)).filter((f) =>
    folders
      ? folders.some((d) => f.startsWith(`${d.replace(/\/$/, '')}/`))
      : !EXCLUDED_CRD_DIRS.some((d) => f.startsWith(d)),
  );
  const selected = await Promise.all(files.map((f) => readCrdFile(root, f)));
  const seen = new Map<string, string>();
  for (const { file, crds } of selected) {
    for (const crd of crds) {
      const name = crd.metadata?.name ?? '';
      const other = seen.get(name);
      if (other) throw new Error(`CRD ${name} is defined twice: in ${other} and in ${file}`);
      seen.set(name, file);
    }
  }
  return selected;
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

/** A response of kubeRequest; `body` is parsed JSON when the server sent JSON. */
export interface RawResponse {
  status: number;
  body: unknown;
}

/** What a failed kubeRequest throws: shaped like client-node's ApiException, so describeError reads both. */
export class KubeRequestError extends Error {
  readonly code: number;
  readonly body: unknown;
  constructor(method: string, path: string, res: RawResponse) {
    super(`${method} ${path}: ${describeError({ code: res.status, body: res.body })}`);
    this.code = res.status;
    this.body = res.body;
  }
}

/**
 * One request with the kubeconfig's credentials and the body sent exactly as given.
 *
 * Why not client-node's typed clients: they run bodies through ObjectSerializer, which keeps only the
 * fields its generated models name and expects the models' camelCase names. A CRD read from YAML
 * carries wire names (`x-kubernetes-int-or-string`, `x-kubernetes-validations`), which it silently drops:
 * the API server then rejects int-or-string fields, and CEL rules vanish without an error.
 */
export async function kubeRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: https.RequestOptions = { method, headers: { accept: 'application/json' }, timeout: 30_000 };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'content-type': contentType };
  const res = await new Promise<RawResponse>((done, fail) => {
    const req = https.request(url, opts, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('error', fail);
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        done({ status: r.statusCode ?? 0, body: safeJson(text) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', fail);
    req.end(payload);
  });
  if (res.status >= 300) throw new KubeRequestError(method, path, res);
  return res;
}

/** Server-side applies the CRDs (idempotent) and waits until every one is Established. */
export async function installCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[], timeoutMs = 60_000) {
  // A few at a time: the Istio CRDs are large and the API server compiles each schema and CEL rule.
  const queue = [...crds];
  const worker = async () => {
    for (let crd = queue.shift(); crd; crd = queue.shift()) {
      const path =
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata?.name}` +
        `?fieldManager=${HARNESS_FIELD_MANAGER}&force=true`;
      // JSON is YAML, so it is a valid apply-patch body.
      await kubeRequest(kc, 'PATCH', path, crd, 'application/apply-patch+yaml');
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);

  const api = kc.makeApiClient(ApiextensionsV1Api);
  const wanted = new Set(crds.map((c) => c.metadata?.name ?? ''));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await api.listCustomResourceDefinition();
    const pending = [...wanted].filter((name) => {
      const live = list.items.find((c) => c.metadata?.name === name);
      return !live || !isEstablished(live);
    });
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`CRDs not Established after ${timeoutMs} ms: ${pending.join(', ')}`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------------
// Extra users

export interface UserOptions {
  groups?: string[];
  /** Cluster-wide RBAC rules granted to the user (a ClusterRole + ClusterRoleBinding named after it). */
  rules?: V1PolicyRule[];
}

/** What a process needs to mint users for a running cluster; stored as cluster.json beside the kubeconfig. */
interface ClusterInfo {
  dir: string;
  server: string;
  caCert: string;
  caKey: string;
  kubeconfigPath: string;
  version: string;
  storageBackend: 'etcd';
}

async function createUserIn(info: ClusterInfo, admin: KubeConfig, name: string, opts: UserOptions = {}) {
  const groups = opts.groups ?? [];
  const usersDir = join(info.dir, 'users');
  await mkdir(usersDir, { recursive: true });
  const { cert, key } = await issueClientCert(info, join(usersDir, name), name, groups);
  const path = join(usersDir, `${name}.kubeconfig`);
  await writeKubeconfig(path, info.server, info.caCert, name, cert, key);
  if (opts.rules) {
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const roleName = `anymesh-test:user:${name}`;
    await rbac.createClusterRole({ body: { metadata: { name: roleName }, rules: opts.rules } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: roleName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name }],
      },
    });
  }
  return path;
}

/** The parts of a running cluster a test in another process can use: see the file comment. */
export interface ClusterHandle {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  server: string;
  /** gitVersion of the kube-apiserver binary, e.g. "v1.37.2". */
  version: string;
  /** A client-certificate user (CN=name, O=groups); returns the path of its kubeconfig. */
  createUser(name: string, opts?: UserOptions): Promise<string>;
}

export function attachCluster(kubeconfigPath: string): ClusterHandle {
  const infoPath = join(dirname(kubeconfigPath), 'cluster.json');
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as ClusterInfo;
  const kubeConfig = loadKubeConfig(kubeconfigPath);
  return {
    kubeconfigPath,
    kubeConfig,
    server: info.server,
    version: info.version,
    createUser: (name, opts) => createUserIn(info, kubeConfig, name, opts),
  };
}

// ---------------------------------------------------------------------------------------------------
// The cluster

export interface ClusterOptions {
  /** Install the shared CRDs (default true). A directory overrides ANYMESH_CRDS for this cluster. */
  crds?: boolean | string;
  /**
   * Only the CRDs under these folders of the CRD root, excluded ones included (a mesh's
   * `crdFolders`: Istio's ambient output needs gateway-api/experimental, which the shared cluster
   * leaves out for the standard channel).
   */
  crdFolders?: readonly string[];
  /** For process start + readiness, per process (default 120 s: a cold start on 2 cores takes ~10 s). */
  startTimeoutMs?: number;
  /** Progress messages (default: none). */
  log?: (message: string) => void;
  /** More kube-apiserver flags, e.g. tight in-flight limits to make it answer 429 (default: none). */
  apiServerArgs?: readonly string[];
}

export interface ClusterStats {
  /** Peak resident set (VmHWM) in KiB, per process, across restarts. */
  peakRssKiB: { kubeApiserver: number; etcd: number };
  /** Milliseconds: spawn of the first process until /readyz, CRD install until all Established. */
  startMs: { toReady: number; crds: number; total: number };
}

export interface Cluster extends ClusterHandle {
  dir: string;
  assets: Assets;
  /** Names of the installed CRDs (empty when started with crds: false). */
  crdNames: string[];
  /** Stops only kube-apiserver; etcd and its data stay. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port and storage and waits for /readyz. */
  startApiServer(): Promise<void>;
  stats(): ClusterStats;
  /** Process ids while running (undefined once stopped), e.g. to check that stop() really kills. */
  pids(): { kubeApiserver?: number; etcd?: number };
  /** Kills both processes and removes the temp dir (kept if ANYMESH_TEST_KEEP_DIR=1). Idempotent. */
  stop(): Promise<ClusterStats>;
}

const TEMP_PREFIX = 'anymesh-cluster-';

/**
 * Removes cluster dirs whose owning process is gone (killed before it could clean up; etcd's
 * preallocated WAL alone is 64 MB, so they add up).
 */
async function sweepStaleDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of entries.filter((n) => n.startsWith(TEMP_PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => ''));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, just not ours
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const timeout = opts.startTimeoutMs ?? 120_000;
  const assets = findAssets();
  const version = await binaryVersion(assets.kubeApiserver);
  await sweepStaleDirs();
  const dir = await mkdtemp(join(tmpdir(), TEMP_PREFIX));
  await writeFile(join(dir, 'owner.pid'), String(process.pid));
  installExitHook();
  liveDirs.add(dir);
  const procs: Managed[] = [];
  let stopped = false;
  const stop = async (): Promise<ClusterStats> => {
    if (!stopped) {
      stopped = true;
      for (const p of [...procs].reverse()) await p.stop(); // API server first, then its storage
      if (process.env.ANYMESH_TEST_KEEP_DIR === '1') log(`kept ${dir}`);
      else await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    }
    return stats();
  };
  const timings = { toReady: 0, crds: 0, total: 0 };
  const stats = (): ClusterStats => {
    for (const p of procs) p.sampleRss();
    const rss = (name: string) => procs.find((p) => p.name === name)?.peakRssKiB ?? 0;
    return {
      peakRssKiB: { kubeApiserver: rss('kube-apiserver'), etcd: rss('etcd') },
      startMs: { ...timings },
    };
  };

  try {
    const pki = await makePki(join(dir, 'pki'));
    const [etcdPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${securePort}`;
    log(`cluster dir ${dir}; binaries from ${assets.source}; ${version}`);

    const t0 = Date.now();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = new Managed(
      'etcd',
      assets.etcd,
      [
        '--name=anymesh-test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=anymesh-test=${peerUrl}`,
        // Throwaway data: skipping fsync makes every write (and so every test) much faster.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
    );
    procs.push(etcd);
    etcd.start();
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      timeout,
      etcd,
    );

    const apiserver = new Managed(
      'kube-apiserver',
      assets.kubeApiserver,
      [
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--etcd-servers=${etcdUrl}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        // No controller-manager creates service-account tokens, so the admission plugin would block pods.
        '--disable-admission-plugins=ServiceAccount',
        '--authorization-mode=RBAC',
        `--service-account-issuer=${server}/`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--profiling=false',
        // kube-apiserver v1.37 refuses to start with a loopback advertise address while the endpoint
        // reconciler (which publishes it as the "kubernetes" Service's endpoint) is on. Nothing here
        // runs in pods, so that Service is never dialled.
        '--endpoint-reconciler-type=none',
        ...(opts.apiServerArgs ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
    );
    procs.push(apiserver);

    const adminCert = await issueClientCert(pki, join(dir, 'pki', 'admin'), 'anymesh-admin', [
      'system:masters',
    ]);
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, server, pki.caCert, 'anymesh-admin', adminCert.cert, adminCert.key);
    const kubeConfig = loadKubeConfig(kubeconfigPath);
    const core = kubeConfig.makeApiClient(CoreV1Api);

    const startApiServer = async () => {
      apiserver.start();
      await waitFor(
        'kube-apiserver /readyz',
        async () => (await kubeRequest(kubeConfig, 'GET', '/readyz')).status === 200,
        timeout,
        apiserver,
      );
      // /readyz does not cover the namespace controller's first pass; tests write into "default".
      await waitFor(
        'namespace default',
        async () => !!(await core.readNamespace({ name: 'default' })),
        timeout,
        apiserver,
      );
    };
    await startApiServer();
    timings.toReady = Date.now() - t0;
    log(`kube-apiserver ready at ${server} after ${timings.toReady} ms`);

    const info: ClusterInfo = {
      dir,
      server,
      caCert: pki.caCert,
      caKey: pki.caKey,
      kubeconfigPath,
      version,
      storageBackend: 'etcd',
    };
    await writeFile(join(dir, 'cluster.json'), JSON.stringify(info, null, 2));

    let crdNames: string[] = [];
    if (opts.crds !== false) {
      const t1 = Date.now();
      const files = await selectCrdFiles(
        typeof opts.crds === 'string' ? opts.crds : crdRoot(),
        opts.crdFolders,
      );
      const crds = files.flatMap((f) => f.crds);
      try {
        await installCrds(kubeConfig, crds, timeout);
      } catch (err) {
        throw new Error(`installing CRDs: ${describeError(err)}`); // the catch below adds the log tails
      }
      crdNames = crds.map((c) => c.metadata?.name ?? '');
      timings.crds = Date.now() - t1;
      log(`${crdNames.length} CRDs from ${files.length} files Established after ${timings.crds} ms`);
    }
    timings.total = Date.now() - t0;

    return {
      dir,
      assets,
      server,
      version,
      kubeconfigPath,
      kubeConfig,
      crdNames,
      createUser: (name, userOpts) => createUserIn(info, kubeConfig, name, userOpts),
      stopApiServer: () => apiserver.stop(),
      startApiServer,
      stats,
      pids: () => ({
        kubeApiserver: apiserver.running ? apiserver.pid : undefined,
        etcd: etcd.running ? etcd.pid : undefined,
      }),
      stop,
    };
  } catch (err) {
    // Never leave processes or a temp dir behind when start-up fails half-way. The logs go with the
    // dir, so their tails go into the error (unless waitFor put one there already).
    const tails = procs.map((p) => `--- ${p.name} (${p.logPath}):\n${logTail(p.logPath, 20)}`).join('\n');
    await stop();
    if (err instanceof Error && !err.message.includes(`${dir}/`)) err.message += `\n${tails}`;
    throw err;
  }
}

/** The API server's message for a failed request (ApiException bodies are JSON Status strings). */
export function describeError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  if (typeof e.code === 'number' && e.body !== undefined) {
    const body = typeof e.body === 'string' ? safeJson(e.body) : e.body;
    const message = (body as { message?: string } | undefined)?.message;
    return `HTTP ${e.code}: ${message ?? String(e.body)}`;
  }
  return e.message ?? String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
