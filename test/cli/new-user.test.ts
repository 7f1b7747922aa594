/**
 * Issue 17 rechecked as a new user, through the installed binary, on inputs the other CLI tests do
 * not use: every command that prints, with its reader gone (stdout or stderr closed early); flag
 * values that name namespaces, domains and directories; an output directory that holds a FIFO, or
 * is a filesystem root. Each is a class: no stack trace, no "internal error", a usage error (exit 2)
 * that names the flag.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';
import { ensureBuilt, runBin, spawnBin } from '../support/bin.js';

beforeAll(() => ensureBuilt(), 180_000);
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-new-user-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICY = 'examples/bookinfo-canary.yaml';
const NATIVE = 'test/fixtures/import/istio-bookinfo.yaml';
const bin = (args: readonly string[]) => {
  const r = runBin(args);
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
};

/** Every command that prints something without a cluster, in each of its formats. */
const PRINTING: readonly (readonly string[])[] = [
  [],
  ['--help'],
  ['compile', '--help'],
  ['capabilities'],
  ['capabilities', '-o', 'json'],
  ['capabilities', '-o', 'markdown'],
  ['schema'],
  ['crds'],
  ['crds', '-o', 'json'],
  ['explain', 'TrafficPolicy.spec.rules'],
  ['completion', 'bash'],
  ['completion', 'zsh'],
  ['completion', 'fish'],
  ['version', '--client', '-o', 'json'],
  ['validate', '-f', 'examples', '-o', 'json'],
  ['compile', '-f', 'examples', '--mesh', 'istio'],
  ['compile', '-f', 'examples', '--mesh', 'istio', '-o', 'json'],
  ['compile', '-f', 'examples', '--mesh', 'istio', '-o', 'name'],
  ['check', '-f', 'examples'],
  ['check', '-f', 'examples', '-o', 'json'],
  ['import', '-f', NATIVE, '--from', 'istio'],
  ['migrate', 'plan', '-f', NATIVE, '--from', 'istio', '--to', 'linkerd', '-o', 'json'],
];

/** Runs the binary and closes `stream` after its first chunk (or at once), as `| head -c1` does. */
function closedEarly(args: readonly string[], stream: 'stdout' | 'stderr') {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }>((done) => {
    const child = spawnBin(args);
    const otherStream = stream === 'stdout' ? child.stderr : child.stdout;
    let other = '';
    otherStream.on('data', (c: Buffer) => {
      other += c.toString();
    });
    child[stream].once('data', () => child[stream].destroy());
    child.on('exit', (code, signal) => done({ code, signal, other }));
  });
}

describe('a reader that goes away, on every command that prints', () => {
  it('stdout closed after the first chunk: no stack trace, no internal error, no signal death', async () => {
    // Three at a time: each is a process of its own.
    const results = [];
    for (let i = 0; i < PRINTING.length; i += 3)
      results.push(...(await Promise.all(PRINTING.slice(i, i + 3).map((a) => closedEarly(a, 'stdout')))));
    for (const [i, r] of results.entries()) {
      const args = PRINTING[i]!;
      expect(r.signal, args.join(' ')).toBeNull();
      expect(r.other, args.join(' ')).not.toMatch(/internal error|EPIPE|\n\s+at /);
      // Quiet: 0, or the command's own verdict when it had one before the pipe closed.
      expect([0, 1], args.join(' ')).toContain(r.code);
    }
  }, 180_000);

  it('stderr closed after the first line (2>&1 | head -1 on a command full of warnings)', async () => {
    for (const args of [
      ['compile', '-f', 'examples', '--mesh', 'linkerd', '--allow-degraded'],
      ['import', '-f', NATIVE, '--from', 'istio'],
      ['validate', '-f', join(tmp, 'missing.yaml')],
    ]) {
      const r = await closedEarly(args, 'stderr');
      expect(r.signal, args.join(' ')).toBeNull();
      expect(r.other, args.join(' ')).not.toMatch(/internal error|EPIPE|\n\s+at /);
    }
  }, 60_000);
});

describe('flag values that name things are checked as the model checks them in files', () => {
  const usage = (args: readonly string[], flag: string) => {
    const r = bin(args);
    expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: ${flag.replace(/-/g, '\\-')} `));
  };

  it('-n, --cluster-domain, --trust-domain: bad names and empty values are usage errors', () => {
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '-n', 'Shop_1'], '-n');
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '-n', ''], '-n');
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '--cluster-domain', 'a b'], '--cluster-domain');
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '--trust-domain', ''], '--trust-domain');
    usage(['check', '-f', POLICY, '--cluster-domain', 'UPPER.case'], '--cluster-domain');
    // A cluster command checks -n before it looks for a kubeconfig.
    usage(['status', '-n', 'Bad'], '-n');
    usage(['--namespace=x.y', 'apply', '-f', POLICY, '--mesh', 'istio'], '-n');
    // What is valid stays valid.
    expect(bin(['compile', '-f', POLICY, '--mesh', 'istio', '-n', 'shop-1', '-o', 'name']).status).toBe(0);
  });

  it('--out-dir: empty or a filesystem root is a usage error, before anything is compiled', () => {
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '--out-dir', ''], '--out-dir');
    usage(['compile', '-f', POLICY, '--mesh', 'istio', '--out-dir=/'], '--out-dir');
    usage(['import', '-f', NATIVE, '--from', 'istio', '--out-dir', ''], '--out-dir');
  });
});

describe('--out-dir that holds what no copy can carry (a FIFO)', () => {
  it('is replaced file by file: new files in, the FIFO and other foreign files untouched', () => {
    const dir = join(tmp, 'with-fifo');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, 'README.md'), 'mine\n');
    const r = bin(['compile', '-f', POLICY, '--mesh', 'istio', '--out-dir', dir]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      '.anymesh-files',
      'README.md',
      'destinationrule-bookinfo-reviews.yaml',
      'pipe',
      'virtualservice-bookinfo-reviews.yaml',
    ]);
    // A second run with fewer policies removes only its own stale files.
    const again = bin(['compile', '-f', 'examples/zero-trust.yaml', '--mesh', 'istio', '--out-dir', dir]);
    expect(again.status).toBe(0);
    expect(existsSync(join(dir, 'destinationrule-bookinfo-reviews.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'pipe'))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.includes('.anymesh-'))).toEqual([]);
  });
});

describe('--mesh-version as each mesh names its versions', () => {
  it('Linkerd edge releases are read as their stable line; a malformed version is a usage error', () => {
    const ok = bin([
      'compile',
      '-f',
      POLICY,
      '--mesh',
      'linkerd',
      '--mesh-version',
      'edge-26.8.3',
      '-o',
      'name',
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    const caps = bin(['capabilities', '--mesh', 'linkerd', '--mesh-version', 'edge-24.11.8', '-o', 'json']);
    expect(caps.status).toBe(0);
    expect(caps.stderr).toContain('note: Linkerd edge-24.11.8 is answered as 2.17');
    for (const [mesh, version] of [
      ['linkerd', 'edge-26.13.1'],
      ['linkerd', 'latest'],
      ['istio', 'garbage'],
    ] as const) {
      const r = bin(['compile', '-f', POLICY, '--mesh', mesh, '--mesh-version', version]);
      expect(r.status, `${mesh} ${version}`).toBe(EXIT.usage);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: --mesh-version "${version}": `));
    }
    expect(bin(['capabilities', '--mesh', 'linkerd', '--version', 'edge-1']).stderr).toMatch(
      /^error: --version "edge-1"/,
    );
  });
});

describe('import --from-cluster without a cluster', () => {
  it('unreachable: the one AM5002 line and exit 3; no kubeconfig or a mixed input: usage errors', () => {
    const kubeconfig = join(tmp, 'closed-port.yaml');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    const r = bin(['import', '--from-cluster', '--from', 'istio', '--kubeconfig', kubeconfig]);
    expect(r.status).toBe(EXIT.unreachable);
    expect(r.stderr).toMatch(/^error AM5002: cannot reach the API server at https:\/\/127\.0\.0\.1:1/);
    expect(r.stdout).toBe('');
    const none = runBin(['import', '--from-cluster', '--from', 'istio'], {
      env: { ...process.env, KUBECONFIG: '', HOME: join(tmp, 'no-home') },
    });
    expect(none.status).toBe(EXIT.usage);
    expect(String(none.stderr)).toMatch(/no kubeconfig found/);
    expect(bin(['import', '--from-cluster', '--from', 'istio', '-f', NATIVE]).status).toBe(EXIT.usage);
    expect(bin(['import', '-A', '--from', 'istio', '-f', NATIVE]).status).toBe(EXIT.usage);
  });
});
