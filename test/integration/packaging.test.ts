/**
 * The package as users get it: `npm pack` (which runs the `prepare` build), the tarball installed
 * with `--omit=dev` into an empty folder outside the checkout (so nothing resolves from the
 * project's node_modules), then the installed `anymesh` binary compiles examples/ for every mesh,
 * with the options the examples job uses (each descriptor's exampleOptions), and must print exactly what the working
 * tree's CLI prints. A run-time import declared only as a devDependency fails here with
 * ERR_MODULE_NOT_FOUND. Needs the npm registry (the tarball's dependencies); in the integration
 * project because it takes a minute or two.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MESH_IDS, MESHES } from '../../src/adapters/index.js';
import { ROOT } from '../support/cases.js';
import { runCli } from '../support/cli.js';
import { policyFile, trafficPolicy } from './apply-support.js';
import { tools } from './install-support.js';

/** npm and the installed binary's `#!/usr/bin/env node` must find this Node 24, not the system's. */
const env = {
  ...process.env,
  PATH: [dirname(process.execPath), join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
};

function run(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function mustRun(cmd: string, args: readonly string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.err}`);
  return r.out;
}

/** The options the examples job compiles each mesh with: its descriptor's exampleOptions. */
function exampleOptions(): Record<string, string[]> {
  return Object.fromEntries(
    MESHES.map((m) => [
      m.id,
      Object.entries(m.exampleOptions ?? {}).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
    ]),
  );
}

let work: string;
let installed: string;
let tarballFiles: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'anymesh-pack-'));
  const packed = JSON.parse(mustRun('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarballFiles = packed[0]!.files.map((f) => f.path);
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true })}\n`);
  mustRun('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(work, packed[0]!.filename)], app);
  installed = join(app, 'node_modules', '.bin', 'anymesh');
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the build, the binary and the schemas, not the sources or tests', () => {
    expect(tarballFiles).toContain('bin/anymesh.js');
    expect(tarballFiles).toContain('dist/cli/main.js');
    expect(tarballFiles).toContain('dist/bundle/main.js');
    expect(tarballFiles).toContain('dist/bundle/client-node.js');
    expect(tarballFiles).toContain('schemas/all.json');
    expect(tarballFiles.filter((f) => /^(src|test)\//.test(f))).toEqual([]);
  });

  it('ships the controller chart, and `install anymesh --render` of the installed package renders it with helm', () => {
    for (const f of [
      'deploy/chart/anymesh/Chart.yaml',
      'deploy/chart/anymesh/values.yaml',
      'deploy/chart/anymesh/crds/policies.yaml',
      'deploy/chart/anymesh/templates/deployment.yaml',
      'deploy/chart/anymesh/templates/rbac.yaml',
    ])
      expect(tarballFiles).toContain(f);
    const mesh = MESH_IDS[0]!;
    const r = spawnSync(installed, ['install', 'anymesh', '--mesh', mesh, '--render'], {
      cwd: dirname(installed),
      encoding: 'utf8',
      env: { ...env, ANYMESH_HELM: tools().ANYMESH_HELM },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('kind: CustomResourceDefinition');
    expect(r.stdout).toContain(`- --mesh=${mesh}`);
    // From the installed package's own copy of the chart.
    expect(r.stdout).toContain(join('node_modules', 'anymesh', 'deploy', 'chart', 'anymesh'));
  });

  it("installed with --omit=dev, a cluster command reads the kubeconfig with the bundle's client-node and is answered", () => {
    // The shared cluster's admin kubeconfig: client-certificate TLS, which the bundled KubeConfig applies.
    const file = policyFile('bundled-kubeconfig.yaml', trafficPolicy('default', 'reviews'));
    const argv = ['apply', '--dry-run=server', '-f', file, '--mesh', 'istio', '-o', 'json'];
    const r = run(installed, [...argv, '--kubeconfig', inject('kubeconfig')], dirname(installed));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; requests: { dryRuns: number; writes: number } };
    expect(report.ok).toBe(true);
    expect(report.requests.dryRuns).toBeGreaterThan(0);
    expect(report.requests.writes).toBe(0);
  });

  const options = exampleOptions();
  for (const mesh of MESH_IDS) {
    it(`installed with --omit=dev, compiles examples/ for ${mesh} as the working tree does`, async () => {
      const argv = [
        'compile',
        '-f',
        join(ROOT, 'examples'),
        '--mesh',
        mesh,
        '--allow-degraded',
        ...(options[mesh] ?? []),
      ];
      const got = run(installed, argv, dirname(installed));
      const want = await runCli(argv);
      expect(got.err).toBe(want.err);
      expect(got.code).toBe(0);
      expect(want.code).toBe(0);
      expect(got.out.length).toBeGreaterThan(0);
      expect(got.out).toBe(want.out);
    });
  }
});
