// The real check of the Consul adapter: every config entry anymesh compiles from examples/ and
// test/cases/ is written to a real `consul agent -dev` (Consul 1.16.3, the newest MPL-licensed release,
// built from the Go module proxy by scripts/build-consul.sh) through PUT /v1/config, and read back.
// Consul validates each entry on write, including the whole discovery chain it belongs to (protocol
// http before routers and splitters, subsets defined before use, weights summing to 100), so this
// proves the entries are accepted, not only that they match a schema. The HCL rendering is written
// too, with `consul config write`, and must read back identical to the JSON one.
//
// Independent of the kube-apiserver the integration project's global setup starts: the agent runs on
// its own free loopback ports with in-memory state and is stopped after the file.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configEntries, renderConfigEntries } from '../../src/adapters/consul/config-entry.js';
import { consulAdapter } from '../../src/adapters/consul/index.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';

type Entry = Record<string, unknown> & { Kind: string; Name?: string };

/** The mesh entry has no Name; it is read and deleted as mesh/mesh. */
const nameOf = (e: Entry) => e.Name ?? e.Kind;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

let agent: ChildProcess | undefined;
let consulBin = '';
let http = '';
let workDir = '';
let agentLog = '';

beforeAll(async () => {
  // Cached after the first build; a cold build takes several minutes (hookTimeout is 10 minutes).
  consulBin = execFileSync('bash', [join(ROOT, 'scripts', 'build-consul.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  expect(execFileSync(consulBin, ['version'], { encoding: 'utf8' })).toMatch(/^Consul v1\.16\.3/);
  workDir = mkdtempSync(join(tmpdir(), 'anymesh-consul-'));
  const [httpPort, server, serfLan, serfWan, grpc] = await Promise.all(Array.from({ length: 5 }, freePort));
  http = `127.0.0.1:${httpPort}`;
  const config = `disable_update_check = true
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
`;
  writeFileSync(join(workDir, 'agent.hcl'), config);
  agent = spawn(
    consulBin,
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
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  agent.stdout?.on('data', (b: Buffer) => {
    agentLog = (agentLog + b.toString()).slice(-20_000);
  });
  agent.stderr?.on('data', (b: Buffer) => {
    agentLog = (agentLog + b.toString()).slice(-20_000);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://${http}/v1/status/leader`);
      if (res.ok && (await res.text()).replaceAll('"', '').length > 0) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`consul agent did not elect a leader in 60s:\n${agentLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 600_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (agent.exitCode === null) agent.kill('SIGKILL');
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function put(entry: Entry): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${http}/v1/config`, { method: 'PUT', body: JSON.stringify(entry) });
  return { status: res.status, body: (await res.text()).trim() };
}

async function get(kind: string, name: string): Promise<Entry> {
  const res = await fetch(`http://${http}/v1/config/${kind}/${encodeURIComponent(name)}`);
  expect(res.status, `GET ${kind}/${name}`).toBe(200);
  return (await res.json()) as Entry;
}

async function remove(entries: readonly Entry[]): Promise<void> {
  // Reverse write order: routers before the resolvers and defaults they depend on.
  for (const e of [...entries].reverse()) {
    const res = await fetch(`http://${http}/v1/config/${e.Kind}/${encodeURIComponent(nameOf(e))}`, {
      method: 'DELETE',
    });
    expect(res.status, `DELETE ${e.Kind}/${nameOf(e)}`).toBe(200);
  }
}

/** Consul adds bookkeeping fields on read; compare only what was written. */
function written(readBack: Entry, sent: Entry): Entry {
  return Object.fromEntries(Object.keys(sent).map((k) => [k, readBack[k]])) as Entry;
}

// Intentions read back with Precedence and Type added per source; strip those.
function normalise(e: Entry): Entry {
  if (e.Kind !== 'service-intentions' || !Array.isArray(e.Sources)) return e;
  return {
    ...e,
    Sources: (e.Sources as Record<string, unknown>[]).map(({ Precedence: _p, Type: _t, ...rest }) => rest),
  };
}

const cases = goldenCases()
  .map((c) => ({ ...c, result: compileFiles([join(ROOT, c.file)], consulAdapter) }))
  .filter((c) => c.result.ok && c.result.resources.length > 0);

describe('Consul 1.16.3 agent accepts every compiled config entry', () => {
  it('has cases to check', () => {
    // The consul-* cases and the canary example compile cleanly for Consul; if none did, this file
    // would check nothing.
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'example-bookinfo-canary',
        'case-consul-l7-routing',
        'case-consul-intentions',
        'case-consul-permissive',
      ]),
    );
  });

  it.each(cases)('$name: PUT /v1/config in order, read back identical', async ({ result }) => {
    const entries = configEntries(result.resources, false) as Entry[];
    for (const e of entries) {
      const r = await put(e);
      expect(r, `${e.Kind}/${nameOf(e)}: ${r.body}`).toEqual({ status: 200, body: 'true' });
    }
    for (const e of entries) {
      expect(normalise(written(await get(e.Kind, nameOf(e)), e)), `${e.Kind}/${nameOf(e)}`).toEqual(e);
    }
    await remove(entries);
  });

  it.each(cases)(
    '$name: the HCL rendering, written with `consul config write`, reads back the same',
    async ({ result }) => {
      const entries = configEntries(result.resources, false) as Entry[];
      const hcl = renderConfigEntries(result.resources, false, 'yaml');
      const chunks = hcl.split(/^(?=# --- )/m);
      expect(chunks.length).toBe(entries.length);
      chunks.forEach((chunk, i) => {
        const file = join(workDir, `entry-${i}.hcl`);
        writeFileSync(file, chunk);
        execFileSync(consulBin, ['config', 'write', `-http-addr=${http}`, file], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
      });
      for (const e of entries) {
        expect(normalise(written(await get(e.Kind, nameOf(e)), e)), `${e.Kind}/${nameOf(e)}`).toEqual(e);
      }
      await remove(entries);
    },
  );

  it('is a real check: Consul refuses a router to a subset no resolver defines', async () => {
    expect((await put({ Kind: 'service-defaults', Name: 'probe', Protocol: 'http' })).status).toBe(200);
    const r = await put({
      Kind: 'service-router',
      Name: 'probe',
      Routes: [
        { Match: { HTTP: { PathPrefix: '/x' } }, Destination: { Service: 'probe', ServiceSubset: 'v9' } },
      ],
    });
    expect(r.status).toBe(500);
    expect(r.body).toContain('v9');
    await remove([{ Kind: 'service-defaults', Name: 'probe' }]);
  });
});
