/**
 * Source positions for field paths, computed lazily.
 *
 * Values are parsed with js-yaml, which is about ten times faster than a parser that keeps a
 * syntax tree; positions are only needed when something is reported, so the `yaml` library
 * (which keeps one) parses a file the first time one of its positions is asked for.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { SourceLocation } from '../diagnostics.js';

export type FieldPath = readonly (string | number)[];

export class FilePositions {
  private docs: (Node | null)[] | undefined;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  private parsed(): (Node | null)[] {
    if (!this.docs) {
      try {
        // Aliases are not resolved here (only nodes are walked), so alias bombs cost nothing.
        this.docs = parseAllDocuments(this.text, { lineCounter: this.lines, uniqueKeys: false }).map(
          (d) => (d.contents as Node | null) ?? null,
        );
      } catch {
        this.docs = [];
      }
    }
    return this.docs;
  }

  private at(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  /**
   * The position of the field at `path` in document `docIndex`: its key when `key` is set (for
   * unknown fields), else its value. A path that does not exist resolves to its nearest existing
   * ancestor, which is where a missing field would be written.
   */
  locate(docIndex: number, path: FieldPath, key = false): SourceLocation {
    const docs = this.parsed();
    let node: Node | null | undefined = docs[docIndex];
    if (!node) return { file: this.file, line: docIndex === 0 ? 1 : 0, col: docIndex === 0 ? 1 : 0 };
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
          const merge = mergeSource(node.items);
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
    const offset = target.range?.[0] ?? 0;
    return this.at(withProperties(this.text, offset));
  }
}

/** The alias of a `<<` merge key among a mapping's pairs (the first, for a list of aliases). */
function mergeSource(items: readonly unknown[]): Node | undefined {
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
function withProperties(text: string, offset: number): number {
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

/** Formats a path the way users read it: `spec.rules[0].backends[1].weight`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
