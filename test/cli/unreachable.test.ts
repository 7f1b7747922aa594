/**
 * Cluster commands without a reachable API server, against real sockets on 127.0.0.1: a closed
 * port, a listener that accepts and never answers, and a plain HTTPS server that is not Kubernetes.
 * Every cluster command says the same one line (AM5002) and exits with the same code, quickly; no
 * kubeconfig at all is one up-front usage error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'bookinfo-canary.yaml');

let tmp: string;
let closedPort: number;
let hanging: Server;
let https: HttpsServer;
const kubeconfigs: Record<string, string> = {};

function kubeconfig(name: string, server: string, insecure = true): string {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: c\n  cluster: {server: "${server}"${insecure ? ', insecure-skip-tls-verify: true' : ''}}`,
      'users:',
      '- name: u\n  user: {token: not-a-real-token}',
      'contexts:',
      '- name: x\n  context: {cluster: c, user: u, namespace: team-a}',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return file;
}

const listen = (s: Server | HttpsServer) =>
  new Promise<number>((done) => s.listen(0, '127.0.0.1', () => done((s.address() as { port: number }).port)));

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'anymesh-unreachable-'));
  // A port that was just free: bind, read the number, close.
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((done) => probe.close(done));
  hanging = createServer(() => {}); // accepts, never answers (not even a TLS handshake)
  const hangingPort = await listen(hanging);
  const tls = join(ROOT, 'test', 'fixtures', 'tls');
  const key = readFileSync(join(tls, 'key.pem'));
  const cert = readFileSync(join(tls, 'cert.pem'));
  https = createHttps({ key, cert }, (_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<html>a web server</html>');
  });
  const httpsPort = await listen(https);
  kubeconfigs.closed = kubeconfig('closed', `https://127.0.0.1:${closedPort}`);
  kubeconfigs.hanging = kubeconfig('hanging', `https://127.0.0.1:${hangingPort}`);
  kubeconfigs.web = kubeconfig('web', `https://127.0.0.1:${httpsPort}`);
  kubeconfigs.webVerified = kubeconfig('web-verified', `https://127.0.0.1:${httpsPort}`, false);
});

afterAll(async () => {
  hanging.close();
  https.close();
  rmSync(tmp, { recursive: true, force: true });
});

const policyArgs = ['-f', EXAMPLE, '--mesh', 'istio'];
/** Every cluster command, with the arguments it needs before it talks to the cluster. */
const COMMANDS: Record<string, string[]> = {
  apply: ['apply', ...policyArgs],
  diff: ['diff', ...policyArgs],
  delete: ['delete', ...policyArgs],
  status: ['status'],
  install: ['install', 'istio'],
  uninstall: ['uninstall', 'istio'],
  register: ['register', 'appmesh'],
};

const AM5002 = /^error AM5002: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+: /;

describe('a closed port', () => {
  for (const [name, argv] of Object.entries(COMMANDS)) {
    it(`${name}: one AM5002 line, exit ${EXIT.unreachable}`, async () => {
      const r = await runCli([...argv, '--kubeconfig', kubeconfigs.closed!]);
      expect(r.code, r.err).toBe(EXIT.unreachable);
      const lines = r.err.split('\n').filter(Boolean);
      expect(lines, r.err).toHaveLength(1);
      expect(lines[0]).toMatch(AM5002);
      expect(lines[0]).toContain('connection refused');
      expect(r.err).not.toMatch(/internal error|this is a bug/i);
      expect(r.out).toBe('');
      // How fast it fails is the benchmark's business (no timed tests); that the up-front check
      // is not retried is src/cluster/reachability.ts's unit test.
    });
  }
});

describe('a listener that never answers', () => {
  it('--request-timeout bounds the wait, with the same line and exit code', async () => {
    const started = Date.now();
    const r = await runCli(['status', '--kubeconfig', kubeconfigs.hanging!, '--request-timeout', '1s']);
    expect(r.code, r.err).toBe(EXIT.unreachable);
    expect(r.err).toMatch(AM5002);
    expect(r.err).toContain('no answer within 1s');
    // Not a speed check: without --request-timeout the wait would be the 30 s request default.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a bare number is seconds, as kubectl reads it; a bad value is a usage error', async () => {
    const r = await runCli([
      'apply',
      ...policyArgs,
      '--kubeconfig',
      kubeconfigs.hanging!,
      '--request-timeout',
      '1',
    ]);
    expect(r.code, r.err).toBe(EXIT.unreachable);
    expect(r.err).toContain('no answer within 1s');
    const bad = await runCli(['status', '--kubeconfig', kubeconfigs.hanging!, '--request-timeout', 'soon']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toContain('--request-timeout soon');
  });
});

describe('an HTTPS server that is not Kubernetes', () => {
  it('status does not report "nothing installed": it says the server is not an API server', async () => {
    const r = await runCli(['status', '--kubeconfig', kubeconfigs.web!]);
    expect(r.code, r.err).toBe(EXIT.unreachable);
    expect(r.out).toBe('');
    expect(r.err).toMatch(AM5002);
    expect(r.err).toContain('not a Kubernetes API server');
  });

  it('every cluster command gives the same answer', async () => {
    for (const [name, argv] of Object.entries(COMMANDS)) {
      const r = await runCli([...argv, '--kubeconfig', kubeconfigs.web!]);
      expect(r.code, `${name}: ${r.err}`).toBe(EXIT.unreachable);
      expect(r.err.split('\n').filter(Boolean), name).toHaveLength(1);
    }
  });

  it('a certificate that is not trusted is a TLS failure, said as such', async () => {
    const r = await runCli(['status', '--kubeconfig', kubeconfigs.webVerified!]);
    expect(r.code, r.err).toBe(EXIT.unreachable);
    expect(r.err).toContain('TLS failed');
  });
});

describe('no kubeconfig at all', () => {
  it('one up-front usage error naming KUBECONFIG and --kubeconfig, before any work', async () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    process.env.HOME = tmp; // no .kube/config here
    delete process.env.KUBECONFIG;
    try {
      for (const [name, argv] of Object.entries(COMMANDS)) {
        const r = await runCli(argv);
        expect(r.code, `${name}: ${r.err}`).toBe(EXIT.usage);
        expect(r.err, name).toContain('no kubeconfig found: set KUBECONFIG or --kubeconfig');
        expect(r.err, name).not.toMatch(/HTTP protocol is not allowed|localhost:8080|internal error/);
      }
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.KUBECONFIG !== undefined) process.env.KUBECONFIG = saved.KUBECONFIG;
    }
  });
});
