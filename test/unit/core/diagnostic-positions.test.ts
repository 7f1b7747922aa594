/**
 * Every positioned diagnostic of a compile points where the `yaml` library's syntax tree puts its
 * field, on multi-document files: what the position index, the shared capability texts and the
 * adapters' own diagnostics give together, for every mesh, on the benchmark's policies (which
 * every mesh but the first degrades with several warnings each).
 */
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { policies } from '../../../bench/generate.js';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { withProperties } from '../../../src/core/loader/positions.js';
import { compileLoaded, loadInputs } from '../../../src/core/pipeline.js';

/** `spec.rules[0].backends[1]` -> spec, rules, 0, backends, 1 (the paths diagnostics carry here). */
function segments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** line:col of a path in a document by `yaml` (the whole file parsed once), at the nearest existing ancestor. */
function yamlPositions(text: string): (index: number, path: (string | number)[]) => string {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
  return (index, path) => {
    let node = (docs[index]?.contents as Node | null) ?? null;
    if (!node) return '0:0';
    for (const segment of path) {
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair: unknown = node.items.find(
          (p: unknown) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        next = isPair(pair) ? (pair.value as Node | null) : undefined;
      } else if (isSeq(node) && typeof segment === 'number') next = node.items[segment] as Node | undefined;
      if (!next) break;
      node = next;
    }
    const { line, col } = lines.linePos(withProperties(text, node.range?.[0] ?? 0));
    return `${line}:${col}`;
  };
}

describe('diagnostic positions on multi-document files', () => {
  const all = [...policies(40)] as string[];
  // Two files of 20 documents each: positions are per file and per document within it.
  const files = [0, 1].map((f) => ({
    name: `bench-${f}.yaml`,
    text: all.slice(f * 20, f * 20 + 20).join('---\n'),
  }));
  /** `svc-N-routing` is document N % 20 of file N / 20. */
  const docOf = (policy: string) => Number(/svc-(\d+)-routing$/.exec(policy)![1]) % 20;
  const reference = new Map(files.map((f) => [f.name, yamlPositions(f.text)]));

  for (const [id, adapter] of Object.entries(ADAPTERS)) {
    it(`every positioned diagnostic is at its field: ${id}`, () => {
      const loaded = loadInputs(files);
      expect(loaded.ok).toBe(true);
      const r = compileLoaded(loaded, adapter, { allowDegraded: true });
      let checked = 0;
      for (const d of r.diagnostics) {
        if (!d.location || !d.path || !d.policy) continue;
        const want = reference.get(d.location.file)!(docOf(d.policy), segments(d.path));
        expect(`${d.location.line}:${d.location.col}`, `${d.code} ${d.policy} ${d.path}`).toBe(want);
        checked++;
      }
      // The benchmark's policies use features each mesh but one degrades: most get diagnostics.
      if (r.diagnostics.length) expect(checked).toBeGreaterThan(100);
    });
  }
});
