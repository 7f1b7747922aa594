/**
 * A real `consul agent -dev` (Consul 1.16.3, the newest MPL-licensed release, built from the Go module
 * proxy by scripts/build-consul.sh and cached) on free loopback ports with in-memory state, for the
 * tests that ask Consul itself: the integration tier (every config entry is accepted) and the
 * behaviour tier (what the entries mean: discovery chains, intentions).
 *
 *   const agent = await startConsulAgent();   // a few seconds once the binary is cached
 *   await agent.put(entry); await agent.get('service-router', 'web'); await agent.remove(entries);
 *   await agent.json('/v1/discovery-chain/web');
 *   await agent.stop();
 *
 * A dev agent runs with ACLs off, so the intention default (no intention matches) is allow
 * (agent/consul/intention_endpoint.go:753-767 in consul v1.16.3, Check: the ACL default decides
 * when no intention matches, `authz.IntentionDefaultAllow`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cases.js';

/** A Consul config entry as PUT /v1/config takes it. */
export type ConsulEntry = Record<string, unknown> & { Kind: string; Name?: string };

/** The mesh entry has no Name; it is read and deleted as mesh/mesh. */
export const entryName = (e: ConsulEntry): string => e.Name ?? e.Kind;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

export interface ConsulAgent {
  /** The binary, for `consul config write` and the like. */
  readonly bin: string;
  /** host:port of the HTTP API. */
  readonly http: string;
  /** A scratch directory removed by stop(). */
  readonly workDir: string;
  /** The last 20 kB the agent printed, for failure messages. */
  log(): string;
  /** Any HTTP call; the body is sent as JSON unless it is a string. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** GET a path and parse the JSON answer; any status but 200 throws with the body. */
  json<T = unknown>(path: string): Promise<T>;
  /** PUT /v1/config: Consul validates the entry and the whole discovery chain it belongs to. */
  put(entry: ConsulEntry): Promise<{ status: number; body: string }>;
  /** PUT every entry in order; throws naming the first one Consul refuses. */
  putAll(entries: readonly ConsulEntry[]): Promise<void>;
  get(kind: string, name: string): Promise<ConsulEntry>;
  /** Deletes in reverse write order: routers before the resolvers and defaults they depend on. */
  remove(entries: readonly ConsulEntry[]): Promise<void>;
  stop(): Promise<void>;
}

/** The cached Consul binary (built on first use; a cold build takes several minutes). */
export function consulBinary(): string {
  const bin = execFileSync('bash', [join(ROOT, 'scripts', 'build-consul.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const version = execFileSync(bin, ['version'], { encoding: 'utf8' });
  if (!/^Consul v1\.16\.3/.test(version)) throw new Error(`${bin} is not Consul v1.16.3:\n${version}`);
  return bin;
}

export async function startConsulAgent(): Promise<ConsulAgent> {
  const bin = consulBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'anymesh-consul-'));
  const [httpPort, server, serfLan, serfWan, grpc] = await Promise.all(Array.from({ length: 5 }, freePort));
  const http = `127.0.0.1:${httpPort}`;
  writeFileSync(
    join(workDir, 'agent.hcl'),
    `disable_update_check = true
ports {
  http = ${httpPort}
  https = -1
  dns = -1
  server = ${server}
  serf_lan = ${serfLan}
  serf_wan = ${serfWan}
  grpc = ${grpc}
  grpc_tls = -1
}
`,
  );
  const child: ChildProcess = spawn(
    bin,
    [
      'agent',
      '-dev',
      '-bind',
      '127.0.0.1',
      '-client',
      '127.0.0.1',
      '-config-file',
      join(workDir, 'agent.hcl'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://${http}${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.text()).trim() };
  };
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  // Ready when a leader is elected: config entry writes go through Raft.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await request('GET', '/v1/status/leader');
      if (r.status === 200 && r.body.replaceAll('"', '').length > 0) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`consul agent did not elect a leader in 60s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const agent: ConsulAgent = {
    bin,
    http,
    workDir,
    log: () => output,
    request,
    async json<T>(path: string): Promise<T> {
      const r = await request('GET', path);
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
      return JSON.parse(r.body) as T;
    },
    put: (entry) => request('PUT', '/v1/config', entry),
    async putAll(entries) {
      for (const e of entries) {
        const r = await agent.put(e);
        if (r.status !== 200 || r.body !== 'true')
          throw new Error(`Consul refused ${e.Kind}/${entryName(e)}: ${r.status} ${r.body}`);
      }
    },
    async get(kind, name) {
      return agent.json<ConsulEntry>(`/v1/config/${kind}/${encodeURIComponent(name)}`);
    },
    async remove(entries) {
      for (const e of [...entries].reverse()) {
        const r = await request('DELETE', `/v1/config/${e.Kind}/${encodeURIComponent(entryName(e))}`);
        if (r.status !== 200) throw new Error(`DELETE ${e.Kind}/${entryName(e)}: ${r.status} ${r.body}`);
      }
    },
    stop,
  };
  return agent;
}
