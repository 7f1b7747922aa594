/**
 * `compile --out-dir`: the directory mirrors the policies (stale files anymesh wrote are removed,
 * others kept, a same-named file it did not write refused), -o json writes JSON, --kustomization,
 * a file target is a usage error, and a SIGINT/SIGTERM at any moment leaves the old directory
 * complete or the new one complete, never a staging folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXIT } from '../../src/cli/exit.js';
import { MARKER } from '../../src/cli/out-dir.js';
import { ensureBuilt, spawnBin } from '../support/bin.js';
import { runCli } from '../support/cli.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'anymesh-outdir-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function policy(name: string): string {
  return `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  service: ${name}
  port: 8080
  versions:
    v1: {version: v1}
    v2: {version: v2}
  rules:
    - name: all
      backends:
        - {version: v1, weight: 90}
        - {version: v2, weight: 10}
`;
}

function policies(file: string, names: readonly string[]): string {
  writeFileSync(file, names.map(policy).join('---\n'));
  return file;
}

const marked = (dir: string) =>
  readFileSync(join(dir, MARKER), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));

describe('compile --out-dir', () => {
  it('a file as target is a usage error, before anything is compiled', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli([
      'compile',
      '-f',
      policies(join(tmp, 'p.yaml'), ['a']),
      '--mesh',
      'istio',
      '--out-dir',
      file,
    ]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(`--out-dir ${file}: is a file, not a directory`);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('mirrors the policies: stale files it wrote are removed, files it did not write are kept', async () => {
    const dir = join(tmp, 'mirror');
    const two = policies(join(tmp, 'two.yaml'), ['a', 'b']);
    expect((await runCli(['compile', '-f', two, '--mesh', 'istio', '--out-dir', dir])).code).toBe(0);
    expect(marked(dir).sort()).toEqual([
      'destinationrule-shop-a.yaml',
      'destinationrule-shop-b.yaml',
      'virtualservice-shop-a.yaml',
      'virtualservice-shop-b.yaml',
    ]);
    writeFileSync(join(dir, 'README.md'), 'hand-written\n');
    mkdirSync(join(dir, 'patches'));
    writeFileSync(join(dir, 'patches', 'p.yaml'), 'kept: true\n');
    const one = policies(join(tmp, 'one.yaml'), ['a']);
    const r = await runCli(['compile', '-f', one, '--mesh', 'istio', '--out-dir', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('removed 2 stale (destinationrule-shop-b.yaml, virtualservice-shop-b.yaml)');
    expect(readdirSync(dir).sort()).toEqual(
      [MARKER, 'README.md', 'destinationrule-shop-a.yaml', 'patches', 'virtualservice-shop-a.yaml'].sort(),
    );
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('hand-written\n');
    expect(readFileSync(join(dir, 'patches', 'p.yaml'), 'utf8')).toBe('kept: true\n');
    expect(readdirSync(tmp).filter((f) => f.includes('.anymesh-'))).toEqual([]);
  });

  it('refuses to overwrite a file of the same name it did not write (exit 1, nothing changed)', async () => {
    const dir = join(tmp, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'virtualservice-shop-a.yaml'), 'mine\n');
    const r = await runCli([
      'compile',
      '-f',
      policies(join(tmp, 'f.yaml'), ['a']),
      '--mesh',
      'istio',
      '--out-dir',
      dir,
    ]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toContain('virtualservice-shop-a.yaml exists and was not written by anymesh');
    expect(readdirSync(dir)).toEqual(['virtualservice-shop-a.yaml']);
    expect(readFileSync(join(dir, 'virtualservice-shop-a.yaml'), 'utf8')).toBe('mine\n');
  });

  it('-o json writes JSON files; --kustomization lists them in a kustomization.yaml', async () => {
    const dir = join(tmp, 'json');
    const r = await runCli([
      'compile',
      '-f',
      policies(join(tmp, 'j.yaml'), ['a']),
      '--mesh',
      'istio',
      '-o',
      'json',
      '--out-dir',
      dir,
      '--kustomization',
    ]);
    expect(r.code, r.err).toBe(0);
    const vs = JSON.parse(readFileSync(join(dir, 'virtualservice-shop-a.json'), 'utf8'));
    expect(vs.kind).toBe('VirtualService');
    const k = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJS();
    expect(k).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['destinationrule-shop-a.json', 'virtualservice-shop-a.json'],
    });
    expect(marked(dir)).toContain('kustomization.yaml');
    const lone = await runCli(['compile', '-f', join(tmp, 'j.yaml'), '--mesh', 'istio', '--kustomization']);
    expect(lone.code).toBe(EXIT.usage);
  });

  it('an error while writing (the parent is a file) is an error line, exit 1, and no staging folder', async () => {
    const parent = join(tmp, 'plain-file');
    writeFileSync(parent, 'x');
    const r = await runCli([
      'compile',
      '-f',
      join(tmp, 'j.yaml'),
      '--mesh',
      'istio',
      '--out-dir',
      join(parent, 'out'),
    ]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toMatch(/^error: ENOTDIR/m);
    expect(r.err).not.toMatch(/internal error/);
    expect(readdirSync(tmp).filter((f) => f.includes('.anymesh-'))).toEqual([]);
  });
});

describe('compile --out-dir under signals', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('SIGINT or SIGTERM at any moment: the old directory complete or the new one, nothing else', async () => {
    const dir = join(tmp, 'signals');
    const small = policies(join(tmp, 'small.yaml'), ['old-0', 'old-1']);
    const big = policies(
      join(tmp, 'big.yaml'),
      Array.from({ length: 600 }, (_, i) => `new-${i}`),
    );
    /**
     * Runs compile and signals it: after `afterMs`, or (`'writing'`) as soon as its staging folder
     * appears, i.e. in the middle of writing the files.
     */
    const run = (file: string, signal?: NodeJS.Signals, when: number | 'writing' = 0) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
        const child = spawnBin(['compile', '-f', file, '--mesh', 'istio', '--out-dir', dir]);
        let poll: NodeJS.Timeout | undefined;
        if (signal && when === 'writing')
          poll = setInterval(() => {
            if (existsSync(`${dir}.anymesh-tmp-${child.pid}`)) {
              clearInterval(poll);
              child.kill(signal);
            }
          }, 1);
        else if (signal) setTimeout(() => child.kill(signal), when as number);
        child.on('exit', (code, sig) => {
          clearInterval(poll);
          done({ code, signal: sig });
        });
      });
    const oldSet = [
      'destinationrule-shop-old-0.yaml',
      'destinationrule-shop-old-1.yaml',
      'virtualservice-shop-old-0.yaml',
      'virtualservice-shop-old-1.yaml',
    ];
    const cases: [NodeJS.Signals, number | 'writing'][] = [
      ['SIGINT', 'writing'],
      ['SIGTERM', 'writing'],
      ['SIGINT', 100],
      ['SIGTERM', 300],
      ['SIGINT', 500],
    ];
    for (const [signal, when] of cases) {
      expect((await run(small)).code).toBe(0);
      const r = await run(big, signal, when);
      const files = readdirSync(dir)
        .filter((f) => f !== MARKER)
        .sort();
      expect(
        readdirSync(tmp).filter((f) => f.includes('.anymesh-')),
        `${signal} at ${when}`,
      ).toEqual([]);
      // Whatever is there is complete and as its marker says.
      expect(files).toEqual(marked(dir).sort());
      if (when === 'writing') {
        // Held until the new directory was in place, then the signal ended the process as usual.
        expect(r.signal).toBe(signal);
        expect(files).toHaveLength(1200);
      } else if (files.length !== 1200) expect(files).toEqual(oldSet);
      for (const f of files.slice(0, 20))
        expect(parseAllDocuments(readFileSync(join(dir, f), 'utf8'))).toHaveLength(1);
    }
  }, 120_000);
});
