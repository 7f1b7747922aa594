/**
 * `anymesh capabilities`: every query (whole matrix, one mesh, one feature or family, one mesh
 * version) in every format, exit codes, and the table and markdown renderings parsed back and
 * compared with the JSON cell by cell.
 */

import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { cellForVersion } from '../../src/core/capabilities.js';
import { cellEvidence } from '../../src/core/evidence.js';
import { FEATURE_IDS, type FeatureId, selectFeatures } from '../../src/core/features/index.js';
import { runCli } from '../support/cli.js';

const cli = (args: string[]) => runCli(args);

interface Cell {
  support: string;
  minVersion?: string;
  reason: string;
  differs?: string;
  docs: string;
}
interface MatrixJson {
  meshes: { id: string; displayName: string; askedVersion?: string }[];
  features: { id: string; description: string }[];
  matrix: Record<string, Record<string, Cell>>;
}

/** The descriptor's cell as `-o json` prints it: with its evidence level (core/evidence.ts). */
function withEvidence(mesh: string, f: FeatureId) {
  const a = ADAPTERS[mesh]!;
  const evidence = cellEvidence(a.evidence, f, a.capabilities[f]);
  return { ...a.capabilities[f], ...(evidence ? { evidence } : {}) };
}

async function matrix(args: string[]): Promise<MatrixJson> {
  const r = await cli(['capabilities', ...args, '-o', 'json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as MatrixJson;
}

/** How the table and the markdown grid render a cell: support, then `(V+)` when it has a minimum version. */
function expectedCell(c: Cell, asked?: string): string {
  const since = c.minVersion && c.support !== 'none' ? ` (${c.minVersion}+)` : '';
  const needs = asked && c.support === 'none' && c.minVersion ? ` (needs ${c.minVersion})` : '';
  return `${c.support}${since}${needs}`;
}

/** Table rows -> feature -> mesh id -> cell text. Columns are separated by two or more spaces. */
function parseTable(text: string): { meshes: string[]; cells: Map<string, Map<string, string>> } {
  const lines = text.split('\n');
  const head = lines[0]!.split(/\s{2,}/);
  expect(head[0]).toBe('FEATURE');
  const meshes = head.slice(1).map((h) => h.toLowerCase());
  const cells = new Map<string, Map<string, string>>();
  for (const line of lines.slice(1)) {
    if (!line.trim()) break;
    const parts = line.split(/\s{2,}/);
    cells.set(parts[0]!, new Map(meshes.map((m, i) => [m, parts[i + 1]!])));
  }
  return { meshes, cells };
}

/** The markdown summary grid -> feature -> mesh display name -> cell text. */
function parseMarkdownGrid(text: string): { meshes: string[]; cells: Map<string, string[]> } {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| feature |'));
  expect(start).toBeGreaterThan(0);
  const meshes = lines[start]!.split('|')
    .slice(2, -1)
    .map((s) => s.trim());
  const cells = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const parts = line
      .split('|')
      .slice(1, -1)
      .map((s) => s.trim());
    cells.set(parts[0]!.replace(/`/g, ''), parts.slice(1));
  }
  return { meshes, cells };
}

function expectTableMatchesJson(table: string, m: MatrixJson): void {
  const t = parseTable(table);
  expect(t.meshes).toEqual(m.meshes.map((x) => x.id));
  expect([...t.cells.keys()]).toEqual(m.features.map((f) => f.id));
  for (const f of m.features)
    for (const x of m.meshes)
      expect(t.cells.get(f.id)!.get(x.id), `${f.id} on ${x.id}`).toBe(
        expectedCell(m.matrix[x.id]![f.id]!, x.askedVersion),
      );
}

describe('anymesh capabilities -o json', () => {
  it('the whole matrix: every mesh has a cell for every feature', async () => {
    const m = await matrix([]);
    expect(m.meshes.map((x) => x.id)).toEqual(Object.keys(ADAPTERS));
    expect(m.features.map((f) => f.id)).toEqual(FEATURE_IDS);
    for (const x of m.meshes) {
      expect(Object.keys(m.matrix[x.id]!)).toEqual(FEATURE_IDS);
      for (const f of FEATURE_IDS) expect(m.matrix[x.id]![f]).toEqual(withEvidence(x.id, f));
    }
  });

  it('partial and emulated cells say what differs', async () => {
    const m = await matrix([]);
    for (const x of m.meshes)
      for (const [f, c] of Object.entries(m.matrix[x.id]!))
        if (c.support === 'partial' || c.support === 'emulated')
          expect(c.differs, `${x.id} ${f}`).toBeTruthy();
  });

  it('one mesh', async () => {
    const m = await matrix(['--mesh', 'consul']);
    expect(m.meshes.map((x) => x.id)).toEqual(['consul']);
    expect(Object.keys(m.matrix)).toEqual(['consul']);
  });

  it('one feature family across meshes (--feature fault), and one exact id', async () => {
    const fault = await matrix(['--feature', 'fault']);
    expect(fault.features.map((f) => f.id)).toEqual(['fault.delay', 'fault.abort.http', 'fault.abort.grpc']);
    expect(Object.keys(fault.matrix)).toEqual(Object.keys(ADAPTERS));
    for (const x of fault.meshes) expect(Object.keys(fault.matrix[x.id]!)).toEqual(selectFeatures('fault'));
    const one = await matrix(['--feature', 'retries.backoff']);
    expect(one.features.map((f) => f.id)).toEqual(['retries.backoff', 'retries.backoff.max']);
  });

  it('--mesh linkerd --version 2.15: features needing a later version are none, with the reason', async () => {
    const m = await matrix(['--mesh', 'linkerd', '--version', '2.15']);
    expect(m.meshes[0]!.askedVersion).toBe('2.15');
    const retries = m.matrix.linkerd!['retries.attempts']!;
    expect(ADAPTERS.linkerd!.capabilities['retries.attempts'].minVersion).toBe('2.16');
    expect(retries.support).toBe('none');
    expect(retries.reason).toContain('2.16');
    expect(retries).toEqual(cellForVersion(ADAPTERS.linkerd!.capabilities['retries.attempts'], '2.15'));
    // Cells available in 2.15 stay as they are.
    expect(m.matrix.linkerd!['match.path.exact']).toEqual(withEvidence('linkerd', 'match.path.exact'));
    const now = await matrix(['--mesh', 'linkerd', '--mesh-version', '2.16']);
    expect(now.matrix.linkerd!['retries.attempts']!.support).toBe('full');
  });
});

describe('anymesh capabilities -o table and -o markdown list the same cells as the JSON', () => {
  it.each([
    [[] as string[]],
    [['--mesh', 'istio']],
    [['--mesh', 'linkerd', '--mesh', 'consul']],
    [['--feature', 'fault']],
    [['--feature', 'mtls', '--mesh', 'appmesh']],
    [['--mesh', 'linkerd', '--version', '2.15']],
  ])('table %j', async (args) => {
    const m = await matrix(args);
    const t = await cli(['capabilities', ...args]);
    expect(t.code).toBe(0);
    expectTableMatchesJson(t.out, m);
    const d = await cli(['capabilities', ...args, '-o', 'table']);
    expect(d.out).toBe(t.out);
  });

  it('the table marks cells that are none only because of the version asked about', async () => {
    const t = parseTable((await cli(['capabilities', '--mesh', 'linkerd', '--version', '2.15'])).out);
    expect(t.cells.get('retries.attempts')!.get('linkerd')).toBe('none (needs 2.16)');
  });

  it('one mesh or one feature: the table is followed by the details of each cell (why, what differs, docs)', async () => {
    const r = await cli(['capabilities', '--feature', 'fault.delay']);
    for (const a of Object.values(ADAPTERS)) {
      const c = a.capabilities['fault.delay'];
      expect(r.out).toContain(`fault.delay on ${a.displayName}: ${c.support}`);
      expect(r.out).toContain(`  why: ${c.reason}`);
      if (c.docs) expect(r.out).toContain(`  docs: ${c.docs}`);
    }
  });

  it.each([
    [[] as string[]],
    [['--mesh', 'istio']],
    [['--feature', 'retries']],
    [['--mesh', 'linkerd', '--version', '2.15']],
  ])('markdown %j', async (args) => {
    const m = await matrix(args);
    const r = await cli(['capabilities', ...args, '-o', 'markdown']);
    expect(r.code).toBe(0);
    const g = parseMarkdownGrid(r.out);
    expect(g.meshes).toEqual(m.meshes.map((x) => x.displayName));
    expect([...g.cells.keys()]).toEqual(m.features.map((f) => f.id));
    for (const f of m.features)
      m.meshes.forEach((x, i) => {
        const c = m.matrix[x.id]![f.id]!;
        expect(g.cells.get(f.id)![i], `${f.id} on ${x.id}`).toBe(expectedCell(c));
        // The details section says the same support level, with the reason.
        expect(r.out).toContain(`**${x.displayName}: ${c.support}**`);
      });
  });
});

describe('anymesh capabilities exit codes', () => {
  it.each([
    [['capabilities', '--mesh', 'nope']],
    [['capabilities', '--feature', 'nope']],
    [['capabilities', '-o', 'yaml']],
    [['capabilities', '--version', '2.15']],
    [['capabilities', '--mesh', 'istio', '--mesh', 'linkerd', '--mesh-version', '1.20']],
  ])('%j: exit 2', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error/);
  });

  it('anymesh --version still prints the anymesh version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
