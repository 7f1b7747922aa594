/**
 * The per-document position index (doc-split.ts + position-scan.ts) must give exactly the
 * positions the `yaml` library's syntax tree of the whole file gives: golden files carry them.
 * Every path of every document of the examples, the test cases, the benchmark's generated policies
 * and a set of awkward documents is located both ways, as value and as key, plus paths that do
 * not exist (they resolve to their nearest ancestor).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { policies } from '../../../bench/generate.js';
import { splitDocuments } from '../../../src/core/loader/doc-split.js';
import { scanDocument } from '../../../src/core/loader/position-scan.js';
import { type FieldPath, FilePositions, withProperties } from '../../../src/core/loader/positions.js';

/** The reference: the whole file through `yaml`, as positions.ts did before the index. */
function reference(text: string): (docIndex: number, path: FieldPath, key: boolean) => string {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false }).map(
    (d) => (d.contents as Node | null) ?? null,
  );
  return (docIndex, path, key) => {
    let node: Node | null | undefined = docs[docIndex];
    if (!node) return docIndex === 0 ? '1:1' : '0:0';
    let keyNode: Node | undefined;
    for (const segment of path) {
      let next: Node | null | undefined;
      keyNode = undefined;
      if (isMap(node)) {
        const pair: unknown = node.items.find(
          (p: unknown) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (isPair(pair)) {
          keyNode = pair.key as Node;
          next = (pair.value as Node | null) ?? null;
          if (!next) break;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment] as Node | undefined;
      }
      if (!next) break;
      node = next;
    }
    const target = key && keyNode ? keyNode : node;
    // Positions are placed at a value's tag or anchor when it has one (what the user wrote there).
    const { line, col } = lines.linePos(withProperties(text, target.range?.[0] ?? 0));
    return `${line}:${col}`;
  };
}

/** Every path of a parsed value, and for each a child that does not exist. */
function* paths(value: unknown, prefix: (string | number)[] = []): Generator<FieldPath> {
  yield prefix;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* paths(value[i], [...prefix, i]);
    yield [...prefix, value.length];
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* paths(v, [...prefix, k]);
    yield [...prefix, 'no-such-field'];
  }
}

/** Compares every path of every document; returns how many documents the fast scanner indexed. */
function compare(name: string, text: string): { docs: number; scanned: number } {
  const ref = reference(text);
  const fast = new FilePositions(name, text);
  const values = loadAll(text, undefined, { schema: CORE_SCHEMA });
  values.forEach((value, docIndex) => {
    for (const path of paths(value)) {
      for (const key of [false, true]) {
        const got = fast.locate(docIndex, path, key);
        expect(`${got.line}:${got.col}`, `${name} doc ${docIndex} ${JSON.stringify(path)} key=${key}`).toBe(
          ref(docIndex, path, key),
        );
      }
    }
  });
  const spans = splitDocuments(text) ?? [];
  const scanned = spans.filter((s) => scanDocument(text, s.start, s.end) !== undefined).length;
  return { docs: values.length, scanned };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e) ? [p] : [];
    });
}

const AWKWARD: Record<string, string> = {
  comments: '# head\n---\n# before\na: 1 # after\nb:\n  # inside\n  c: [x, y] # tail\n',
  compactSeq: 'a:\n- x\n- y: 1\n  z: 2\n-   w: 3\nb: 2\n',
  nestedSeq: 'a:\n  - - 1\n    - 2\n  -\n    k: v\n',
  quoted: `"a": 'b'\n'c d': "e: f"\ng: "x\\"y"\nh: 'it''s'\n`,
  flow: 'a: {b: [1, {c: d}], "e": f, g: "h, i"}\nj: [ k , l ]\nm: {}\nn: []\n',
  multiLineFlow: 'a: {b: 1,\n  c: [2,\n    3]}\nd: 4\n',
  anchors: 'a: &x {b: 1}\nc: *x\nd: !!str 5\n',
  blockScalars: 'a: |\n  text\n  more\nb: >-\n  folded\nc: 1\n',
  empties: 'a:\nb: ~\nc: {d: }\ne: [f, ]\n',
  numericKeys: '80: http\n1.5: x\ntrue: y\nname: z\n',
  multiLinePlain: 'a: this is\n  continued\nb: 2\n',
  explicitKey: '? a\n: 1\nb: 2\n',
  urls: 'a: http://x.example/p?q=1\nb: [http://y, "z"]\nc: {u: https://w}\n',
  documents: 'a: 1\n---\n---\nb: 2\n--- # c\nc: 3\n',
  ellipsis: 'a: 1\n...\n---\nb: 2\n',
  directive: '%YAML 1.2\n---\na: 1\n',
  inlineMarker: '--- {a: 1}\n--- b: 2\n',
  indentedRoot: '  a: 1\n  b:\n    c: 2\n',
  scalarRoot: 'just text\n---\n- 1\n- 2\n',
  tabs: 'a:\t1\nb: 2\n',
  crlf: 'a: 1\r\nb:\r\n  c: 2\r\n',
  byteOrderMark: '\ufeffa: 1\nb: {c: 2}\n',
  keyWithSpaces: 'a b: 1\n"c:d": 2\nx-y.z/w: 3\n',
  hashInPlain: 'a: b#c\nd: [e#f]\n',
  trailingMarker: 'a: 1\n---\n',
  laterFallback: 'a: 1\n---\n# note\nb: &x 1\nc: *x\nd: |\n  t\n---\ne: [1]\n',
  // The flat index compares keys as offsets into the text: prefixes, spaces before the colon, a
  // no-break space (not YAML white space: part of the key), near-booleans and escapes.
  keyPrefixes: 'ab: 1\na: 2\nabc: {a: 3, ab: 4}\n"a b": 5\na b c: 6\n',
  spaceBeforeColon: 'a   : 1\nb: {c: 2}\n',
  noBreakSpaceKey: 'a\u00a0: 1\nb: 2\n',
  nearBooleans: 'nulls: 1\ntrues: 2\nfalsey: 3\nTrue: 4\n',
  escapedKeys: '"a\\"b": 1\nc: 2\n',
  flowQuotedKeys: `a: {"b": 1, 'c': 2, "d'e": 3}\n`,
  deepNesting: `${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} leaf\n`,
};

describe('position index', () => {
  for (const [name, text] of Object.entries(AWKWARD)) {
    it(`matches yaml's positions: ${name}`, () => {
      compare(name, text);
    });
  }

  it('matches on every example and test case', () => {
    const files = [...yamlFiles('examples'), ...yamlFiles('test/cases')];
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) compare(f, readFileSync(f, 'utf8'));
  });

  it("indexes the benchmark's policies with the fast scanner, with yaml's positions", () => {
    const text = [...policies(100)].join('---\n');
    const { docs, scanned } = compare('bench.yaml', text);
    expect(docs).toBe(100);
    // Every generated policy is in the scanner's subset: none falls back to `yaml`.
    expect(scanned).toBe(100);
  });

  it('keeps a few document indexes, not one per document, and places fields the same when it scans again', () => {
    // 100,000 policies kept ~10 KB of index each when every one was kept (1.1 GB of the heap).
    const text = [...policies(200)].join('---\n');
    const ref = reference(text);
    const positions = new FilePositions('bench.yaml', text);
    const kept = () => (positions as unknown as { indexed: Map<number, unknown> }).indexed.size;
    const paths: FieldPath[] = [
      ['spec', 'rules', 1, 'retries', 'retryOn', 0],
      ['spec', 'rules', 0, 'matches'],
      [],
    ];
    const where = (d: number, path: FieldPath) => {
      const l = positions.locate(d, path);
      return `${l.line}:${l.col}`;
    };
    // Forwards, backwards (every document evicted and scanned again), and back and forth between
    // two documents (both stay indexed).
    for (const order of [[...Array(200).keys()], [...Array(200).keys()].reverse()]) {
      for (const d of order)
        for (const path of paths) expect(where(d, path), `${d} ${path}`).toBe(ref(d, path, false));
      expect(kept()).toBeLessThanOrEqual(16);
    }
    for (let i = 0; i < 50; i++)
      expect(where(i % 2 ? 7 : 150, paths[0]!)).toBe(ref(i % 2 ? 7 : 150, paths[0]!, false));
  });

  it('indexes a document larger than the scanner keeps a buffer for, then small ones again', () => {
    // 100,000 flow items are 400,000 ints of index: the scratch buffer grows, and is let go after.
    const big = `items: [${Array.from({ length: 100_000 }, (_, i) => `v${i}`).join(', ')}]\nafter: {x: 1}\n`;
    const text = `${big}---\n${[...policies(3)].join('---\n')}`;
    const ref = reference(text);
    const positions = new FilePositions('big.yaml', text);
    for (const [d, path] of [
      [0, ['items', 99_999]],
      [0, ['items', 54_321]],
      [0, ['after', 'x']],
      [2, ['spec', 'rules', 0, 'matches', 0, 'headers', 0, 'exact']],
      [3, ['spec', 'rules', 1, 'retries', 'retryOn', 1]],
    ] as const) {
      const l = positions.locate(d, path);
      expect(`${l.line}:${l.col}`, `${d} ${path.join('.')}`).toBe(ref(d, path, false));
    }
    expect(scanDocument(text, 0, big.length)).toBeInstanceOf(Int32Array);
  });

  it('splits documents as js-yaml counts them', () => {
    for (const text of [
      'a: 1\n---\nb: 2\n',
      '---\na: 1\n',
      '# c\n---\na: 1\n---\n',
      '---\n---\na: 1\n',
      'a: 1\n',
      '',
    ]) {
      const values = loadAll(text, undefined, { schema: CORE_SCHEMA });
      expect(splitDocuments(text)?.length, JSON.stringify(text)).toBe(values.length);
    }
  });
});
