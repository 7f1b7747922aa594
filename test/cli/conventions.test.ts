/**
 * kubectl users' conventions: help with Examples everywhere and on stdout without arguments,
 * global flags before the subcommand, `-o=json`, `-n` on compile with apply's namespace defaulting,
 * `-o name`, `--mesh a,b`, `version`, `completion bash|zsh|fish`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS_WITH_EXAMPLES } from '../../src/cli/examples.js';
import { EXIT } from '../../src/cli/exit.js';
import { VERSION } from '../../src/cli/version.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'bookinfo-canary.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-conv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A kubeconfig whose context has namespace team-a and whose server is a closed port. */
const KUBECONFIG = join(tmp, 'kubeconfig.yaml');
writeFileSync(
  KUBECONFIG,
  `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: a, context: {cluster: c, user: u, namespace: team-a}}
- {name: b, context: {cluster: c, user: u}}
current-context: a
`,
);
/** A policy that names no namespace. */
const NO_NS = join(tmp, 'no-ns.yaml');
writeFileSync(
  NO_NS,
  'apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: r}\nspec:\n  service: r\n  rules: [{timeout: 2s}]\n',
);

describe('help', () => {
  it('no arguments: the overview on stdout, exit 0', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('Usage: anymesh');
    expect(r.out).toContain('Examples:');
    expect(r.err).toBe('');
  });

  it('every command has an Examples section in --help', async () => {
    const top = await runCli(['--help']);
    const commands = [...top.out.matchAll(/^ {2}([a-z]+)(?: |$)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(12);
    for (const c of commands) {
      expect(COMMANDS_WITH_EXAMPLES, c).toContain(c);
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(/\nExamples:\n {2}anymesh /);
    }
  });
});

describe('flags as kubectl takes them', () => {
  it('connection flags before the subcommand', async () => {
    const r = await runCli(['--kubeconfig', KUBECONFIG, '--request-timeout=2s', 'status']);
    expect(r.code, r.err).toBe(EXIT.unreachable); // reached the cluster code, not a usage error
    const ns = await runCli([
      '-n',
      'x',
      '--kubeconfig',
      KUBECONFIG,
      'compile',
      '-f',
      NO_NS,
      '--mesh',
      'istio',
      '-o',
      'name',
    ]);
    expect(ns.code, ns.err).toBe(0);
  });

  it('-o=json and -n=NS', async () => {
    const r = await runCli(['validate', '-f', EXAMPLE, '-o=json']);
    expect(JSON.parse(r.out).valid).toBe(true);
    const c = await runCli(['compile', '-f', NO_NS, '--mesh', 'istio', '-n=shop', '-o=json']);
    expect(JSON.parse(c.out).items[0].metadata.namespace).toBe('shop');
  });

  it('compile -n, and without it the kubeconfig context namespace, as apply defaults it', async () => {
    const ns = async (...extra: string[]) =>
      JSON.parse((await runCli(['compile', '-f', NO_NS, '--mesh', 'istio', '-o', 'json', ...extra])).out)
        .items[0].metadata.namespace;
    expect(await ns('-n', 'shop')).toBe('shop');
    expect(await ns('--kubeconfig', KUBECONFIG)).toBe('team-a');
    expect(await ns('--kubeconfig', KUBECONFIG, '--context', 'b')).toBe('default');
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = KUBECONFIG;
    try {
      expect(await ns()).toBe('team-a');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    const bad = await runCli([
      'compile',
      '-f',
      NO_NS,
      '--mesh',
      'istio',
      '--kubeconfig',
      KUBECONFIG,
      '--context',
      'zz',
    ]);
    expect(bad.code).toBe(EXIT.usage);
  });

  it('-o name prints kind.group/name, as kubectl', async () => {
    const r = await runCli(['compile', '-f', EXAMPLE, '--mesh', 'istio', '-o', 'name']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      'destinationrule.networking.istio.io/reviews\nvirtualservice.networking.istio.io/reviews\n',
    );
  });

  it('--mesh a,b wherever --mesh repeats', async () => {
    const caps = JSON.parse((await runCli(['capabilities', '--mesh', 'istio,linkerd', '-o', 'json'])).out);
    expect(caps.meshes.map((m: { id: string }) => m.id)).toEqual(['istio', 'linkerd']);
    const check = await runCli(['check', '-f', EXAMPLE, '--mesh', 'istio,consul', '-o', 'json']);
    expect(Object.keys(JSON.parse(check.out).meshes ?? {}).length || check.out.length).toBeGreaterThan(0);
    expect((await runCli(['status', '--mesh', 'istio,nope', '--kubeconfig', KUBECONFIG])).code).toBe(
      EXIT.usage,
    );
  });
});

describe('version', () => {
  it('--client -o json', async () => {
    const r = await runCli(['version', '--client', '-o', 'json']);
    expect(JSON.parse(r.out)).toEqual({ clientVersion: { anymesh: VERSION, node: process.versions.node } });
  });

  it('with no server answering: the client version, why the server is missing, exit 0', async () => {
    const r = await runCli(['version', '--kubeconfig', KUBECONFIG, '-o', 'json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.clientVersion.anymesh).toBe(VERSION);
    expect(v.serverError).toContain('connection refused');
    const text = await runCli(['version', '--kubeconfig', KUBECONFIG]);
    expect(text.out).toBe(`anymesh: ${VERSION} (Node ${process.versions.node})\n`);
  });
});

describe('completion', () => {
  it('bash completes subcommands, flags after the subcommand (global flags skipped), and mesh ids', async () => {
    const script = join(tmp, 'anymesh.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).out);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _anymesh; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete('anymesh', 'comp')).toBe('compile completion');
    expect(complete('anymesh', '--kubeconfig', 'k', 'compile', '--out')).toBe('--output --out-dir');
    expect(complete('anymesh', 'apply', '--mesh', 'l').split(' ')).toEqual(['linkerd']);
    expect(complete('anymesh', 'install', '')).toContain('istio');
  });

  it('fish scripts name every command (zsh: completion-zsh.test.ts); another shell is a usage error', async () => {
    const fish = (await runCli(['completion', 'fish'])).out;
    for (const c of ['validate', 'compile', 'apply', 'status', 'version'])
      expect(fish).toContain(`complete -c anymesh -n __fish_use_subcommand -a ${c} `);
    expect(fish).toContain(
      "complete -c anymesh -n '__fish_seen_subcommand_from compile' -l mesh -r -a 'istio linkerd consul appmesh'",
    );
    expect((await runCli(['completion', 'powershell'])).code).toBe(EXIT.usage);
  });
});
