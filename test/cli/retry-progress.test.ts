// On a terminal, a request that is retried says so as it happens (a wait is not a hang); without a
// terminal nothing extra is printed. A real HTTP server on 127.0.0.1 answers /version as an API
// server does and 503 to everything else; every request carries anymesh's User-Agent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli/version.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'bookinfo-canary.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-retry-'));
let server: Server;
let kubeconfig: string;
const agents = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    agents.add(String(req.headers['user-agent']));
    res.setHeader('content-type', 'application/json');
    if (req.url === '/version')
      return res.end(JSON.stringify({ major: '1', minor: '37', gitVersion: 'v1.37.0' }));
    res.statusCode = 503;
    res.end(
      JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        reason: 'ServiceUnavailable',
        code: 503,
        message: 'starting',
      }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  kubeconfig = join(tmp, 'kc.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
});
afterAll(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('retries on a terminal', () => {
  it('each retry is shown on an interactive stderr, not otherwise', async () => {
    const args = ['apply', '-f', EXAMPLE, '--mesh', 'istio', '--kubeconfig', kubeconfig, '--retries', '1'];
    const tty = await runCli(args, { interactive: true });
    expect(tty.code).toBe(1);
    expect(tty.err).toMatch(/retrying GET \/\S+ \(attempt 2 of 2\): /);
    expect(tty.err).not.toMatch(/internal error/);
    const pipe = await runCli(args);
    expect(pipe.err).not.toContain('retrying');
    expect([...agents]).toEqual([`anymesh/${VERSION}`]);
  });

  it('version reads the server version', async () => {
    const r = await runCli(['version', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(JSON.parse(r.out).serverVersion.gitVersion).toBe('v1.37.0');
  });
});
