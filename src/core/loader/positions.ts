/**
 * Source positions for field paths, computed lazily, one document at a time.
 *
 * Values are parsed with js-yaml, which is about ten times faster than a parser that keeps a
 * syntax tree; positions are only needed when something is reported. The first position asked
 * for in a file splits it into documents (a line scan, doc-split.ts); the first asked for in a
 * document indexes that document alone: with the fast scanner (position-scan.ts) when the document
 * is in its subset, else with the `yaml` library's syntax tree of that document. Documents nothing
 * is reported for are never indexed. Files the line scan cannot split are parsed whole with `yaml`,
 * as before.
 */
import { createRequire } from 'node:module';
import type { Node } from 'yaml';
import type { SourceLocation } from '../diagnostics.js';
import { type DocumentSpan, splitDocuments } from './doc-split.js';
import {
  keyIs,
  MAPPING,
  NODE_SIZE,
  PAIR_SIZE,
  type ScanIndex,
  SEQUENCE,
  scanDocument,
} from './position-scan.js';

export type FieldPath = readonly (string | number)[];

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
/**
 * The `yaml` library, loaded on first use: most runs never need it (the scanner indexes the
 * common documents), and its 70 modules cost ~30 ms of every start. require() because positions
 * are asked for synchronously; `yaml` ships a CommonJS build.
 */
function yaml(): YamlLib {
  yamlLib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return yamlLib;
}

/** One document's index: either the scanner's nodes or `yaml`'s, with offsets into the file. */
type DocIndex = { scan: ScanIndex | null } | { tree: Node | null; shift: number };

/**
 * Document indexes a file keeps, the most recently used. A scanned document's index is ~10 KB
 * (a node and a pair per line): kept for every document, they were most of the memory of
 * compiling 100,000 policies for Linkerd, Consul or App Mesh (nearly every policy gets a warning
 * there), 1.1 GB of the heap at 100k. Each compile stage asks for a document's positions in a
 * row (capability checks, then dropped rules, then the adapter's own notes, one policy after the
 * other), so a few recent ones get nearly every hit and a stage that comes back scans again.
 */
const KEPT_INDEXES = 16;

export class FilePositions {
  private spans: DocumentSpan[] | undefined | null = null;
  private readonly indexed = new Map<number, DocIndex>();
  private whole: (Node | null)[] | undefined;
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  private index(docIndex: number): DocIndex {
    let ix = this.indexed.get(docIndex);
    if (ix) {
      // Most recent last: the Map's order is the eviction order.
      if (this.indexed.size > 1) {
        this.indexed.delete(docIndex);
        this.indexed.set(docIndex, ix);
      }
      return ix;
    }
    if (this.spans === null) this.spans = splitDocuments(this.text);
    const span = this.spans?.[docIndex];
    if (!this.spans) {
      ix = { tree: this.wholeFile()[docIndex] ?? null, shift: 0 };
    } else if (!span) {
      ix = { scan: null };
    } else {
      const scan = scanDocument(this.text, span.start, span.end);
      if (scan) ix = { scan };
      // An empty document's null node sits on its `---` line, outside the span: parse the file.
      else if (scan === null) ix = { tree: this.wholeFile()[docIndex] ?? null, shift: 0 };
      else ix = { tree: this.parseOne(span), shift: span.start };
    }
    if (this.indexed.size >= KEPT_INDEXES) this.indexed.delete(this.indexed.keys().next().value as number);
    this.indexed.set(docIndex, ix);
    return ix;
  }

  /** `yaml`'s tree of one document; its offsets are relative to the span's start. */
  private parseOne(span: DocumentSpan): Node | null {
    try {
      const doc = yaml().parseDocument(this.text.slice(span.start, span.end), { uniqueKeys: false });
      return (doc.contents as Node | null) ?? null;
    } catch {
      return null;
    }
  }

  private wholeFile(): (Node | null)[] {
    if (!this.whole) {
      try {
        // Aliases are not resolved here (only nodes are walked), so alias bombs cost nothing.
        this.whole = yaml()
          .parseAllDocuments(this.text, { uniqueKeys: false })
          .map((d) => (d.contents as Node | null) ?? null);
      } catch {
        this.whole = [];
      }
    }
    return this.whole;
  }

  /** Line and column (both from 1) of a file offset, as `yaml`'s LineCounter gives them. */
  private at(offset: number): SourceLocation {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
  }

  /**
   * The position of the field at `path` in document `docIndex`: its key when `key` is set (for
   * unknown fields), else its value. A path that does not exist resolves to its nearest existing
   * ancestor, which is where a missing field would be written.
   */
  locate(docIndex: number, path: FieldPath, key = false): SourceLocation {
    const ix = this.index(docIndex);
    const offset =
      'scan' in ix ? locateScanned(this.text, ix.scan, path, key) : locateTree(ix.tree, path, key);
    if (offset === undefined)
      return { file: this.file, line: docIndex === 0 ? 1 : 0, col: docIndex === 0 ? 1 : 0 };
    return this.at(withProperties(this.text, offset + ('shift' in ix ? ix.shift : 0)));
  }
}

/** The offset of `path` in a scanned document's index (position-scan.ts's ScanIndex layout). */
function locateScanned(
  text: string,
  ix: ScanIndex | null,
  path: FieldPath,
  key: boolean,
): number | undefined {
  if (!ix) return undefined;
  let node = 0;
  let keyStart: number | undefined;
  for (const segment of path) {
    keyStart = undefined;
    let next = -1;
    const kind = ix[node + 1];
    const count = ix[node + 2] ?? 0;
    let at = node + NODE_SIZE;
    if (kind === MAPPING) {
      const want = String(segment);
      for (let k = 0; k < count; k++) {
        if (keyIs(text, ix, at, want)) {
          keyStart = ix[at];
          next = at + PAIR_SIZE;
          break;
        }
        at = ix[at + PAIR_SIZE + 3] ?? 0; // past the value's subtree
      }
    } else if (kind === SEQUENCE && typeof segment === 'number' && Number.isInteger(segment)) {
      if (segment >= 0 && segment < count) {
        for (let k = 0; k < segment; k++) at = ix[at + 3] ?? 0;
        next = at;
      }
    }
    if (next < 0) break;
    node = next;
  }
  return key && keyStart !== undefined ? keyStart : ix[node];
}

function locateTree(root: Node | null, path: FieldPath, key: boolean): number | undefined {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  let node: Node | null | undefined = root;
  if (!node) return undefined;
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
      } else {
        // A field that came in through a merge key (`<<: *base`): the alias that brought it.
        const merge = mergeSource(node.items, isAlias, isPair, isScalar, isSeq);
        if (merge) {
          node = merge;
          break;
        }
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment] as Node | undefined;
    }
    if (!next) break;
    node = next;
  }
  const target = key && keyNode ? keyNode : node;
  return target.range?.[0] ?? 0;
}

/** The alias of a `<<` merge key among a mapping's pairs (the first, for a list of aliases). */
function mergeSource(
  items: readonly unknown[],
  isAlias: YamlLib['isAlias'],
  isPair: YamlLib['isPair'],
  isScalar: YamlLib['isScalar'],
  isSeq: YamlLib['isSeq'],
): Node | undefined {
  for (const p of items) {
    if (!isPair(p) || !isScalar(p.key) || p.key.value !== '<<') continue;
    const v = p.value as Node | null;
    if (isAlias(v)) return v;
    if (isSeq(v) && isAlias(v.items[0])) return v.items[0] as Node;
  }
  return undefined;
}

/**
 * A node's range starts at its content; a tag (`!!str`) or anchor (`&a`) written before it is part
 * of what the user wrote there, so a problem with the value is placed at the first of those.
 */
export function withProperties(text: string, offset: number): number {
  let start = offset;
  for (;;) {
    let i = start;
    while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
    let j = i;
    while (j > 0 && !/[\s,[{]/.test(text[j - 1]!)) j--;
    if (j === i || (text[j] !== '!' && text[j] !== '&')) return start;
    start = j;
  }
}

/**
 * Formatted paths already made, so that every diagnostic at the same path shares one string: a
 * path built by `+=` is a rope of a node per segment, ~250 bytes, held by each diagnostic (850,000
 * of them for 100,000 policies on App Mesh, at a dozen distinct paths). Cleared when full, as
 * yaml-emit.ts's cache of written scalars is.
 */
const formatted = new Map<string, string>();
const FORMATTED_LIMIT = 10_000;

/** Formats a path the way users read it: `spec.rules[0].backends[1].weight`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  const known = formatted.get(out);
  if (known !== undefined) return known;
  if (formatted.size >= FORMATTED_LIMIT) formatted.clear();
  formatted.set(out, out);
  return out;
}
