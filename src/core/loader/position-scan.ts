/**
 * A fast position index of one YAML document, for the common shape of policy files: block
 * mappings and sequences of plain or quoted one-line scalars and flow collections, with comments.
 *
 * Why: placing a diagnostic needs the source position of a field path, and the `yaml` library's
 * syntax tree (the general answer) costs about ten times js-yaml's parse. A profile of compiling
 * 2,000 policies for Consul showed 40% of the time in `yaml`'s parse and a further 20% in garbage
 * collection, because nearly every policy gets a warning there. This scanner only records where
 * each node and key starts, which is all `FilePositions.locate` reads.
 *
 * It gives the same offsets as `yaml` (node `range[0]`, checked against it in
 * test/unit/core/positions.test.ts) or gives up: anything outside the subset (anchors, aliases,
 * tags, block scalars, explicit keys, multi-line plain or quoted scalars, empty values, numeric,
 * boolean or null-like keys, tabs, CR, a byte-order mark) throws `Unsupported`, and the caller
 * uses `yaml`.
 */

/** A node: where it starts, and its entries for a mapping or items for a sequence. */
export interface ScanNode {
  readonly start: number;
  readonly pairs?: ScanPair[];
  readonly items?: ScanNode[];
}

export interface ScanPair {
  readonly key: string;
  readonly keyStart: number;
  readonly value: ScanNode;
}

/** Thrown for anything the scanner does not handle; never escapes `scanDocument`. */
class Unsupported extends Error {}

const SPACE = 0x20;
const NL = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const COMMA = 0x2c;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** Characters that make a plain scalar something else (tags, anchors, block scalars, ...). */
const INDICATORS = new Set([...'&*!|>%@`?'].map((c) => c.charCodeAt(0)));
/** Keys whose string value `yaml` would not keep as written (numbers, booleans, null). */
const NOT_A_STRING_KEY = /^(?:[-+.\d~]|(?:true|false|null)$)/i;

/**
 * The index of the document in text[start, end), or undefined when it is outside the subset. A
 * document with no content gives null, as `yaml`'s empty documents do.
 */
export function scanDocument(text: string, start: number, end: number): ScanNode | null | undefined {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x09 || c === 0x0d || c === 0xfeff) return undefined; // tabs, CR, a byte-order mark
  }
  try {
    return new Scanner(text, end).document(start);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/**
 * The scanner's methods return the node they read and leave where reading stopped in fields
 * (`nAt`/`nIndent`: the next content line; `pos`: the end of an inline node; `keyEnd`) instead of
 * returning pairs: a pair per line and per node was most of the garbage of indexing 10,000
 * documents, when every document gets a diagnostic (Linkerd, Consul, App Mesh with degrading).
 */
class Scanner {
  /** The next content line after what was read: its first character's offset (-1: none) and indent. */
  private nAt = -1;
  private nIndent = 0;
  /** Just past the inline node (scalar or flow collection) last read. */
  private pos = 0;
  /** Just past the key (before its colon) that `keyAt` last found. */
  private keyEnd = 0;

  constructor(
    private readonly t: string,
    private readonly end: number,
  ) {}

  private c(i: number): number {
    return i < this.end ? this.t.charCodeAt(i) : NL;
  }

  private lineEnd(i: number): number {
    const nl = this.t.indexOf('\n', i);
    return nl < 0 || nl > this.end ? this.end : nl;
  }

  /** Finds the next line at or after `ls` (a line start) with content: sets `nAt` and `nIndent`. */
  private nextContent(ls: number): void {
    while (ls < this.end) {
      let i = ls;
      while (this.c(i) === SPACE) i++;
      if (i >= this.end) break;
      const c = this.c(i);
      if (c !== NL && c !== HASH) {
        this.nAt = i;
        this.nIndent = i - ls;
        return;
      }
      ls = this.lineEnd(i) + 1;
    }
    this.nAt = -1;
  }

  /** Past spaces and a comment to the end of the line; anything else there is unsupported. */
  private endOfLine(i: number): number {
    while (this.c(i) === SPACE) i++;
    const c = this.c(i);
    if (c === HASH || c === NL) return this.lineEnd(i) + 1;
    throw new Unsupported();
  }

  document(start: number): ScanNode | null {
    this.nextContent(start);
    if (this.nAt < 0) return null;
    const node = this.block(this.nAt, this.nIndent, -1);
    if (this.nAt >= 0) throw new Unsupported(); // more content than one node
    return node;
  }

  /**
   * A node starting at content offset `at` in column `col`, inside a parent block of indent
   * `parent`; leaves the next content line after it in `nAt`/`nIndent`.
   */
  private block(at: number, col: number, parent: number): ScanNode {
    const c = this.c(at);
    if (c === DASH && this.isSpaceOrEnd(at + 1)) return this.sequence(at, col);
    if (this.keyAt(at) !== undefined) return this.mapping(at, col);
    // A scalar or flow collection on its line; a following deeper line would continue it.
    const node = this.inline(at);
    this.nextContent(this.endOfLine(this.pos));
    if (this.nAt >= 0 && this.nIndent > parent) throw new Unsupported();
    return node;
  }

  private isSpaceOrEnd(i: number): boolean {
    const c = this.c(i);
    return c === SPACE || c === NL;
  }

  private sequence(at: number, col: number): ScanNode {
    const items: ScanNode[] = [];
    this.nAt = at;
    this.nIndent = col;
    while (
      this.nAt >= 0 &&
      this.nIndent === col &&
      this.c(this.nAt) === DASH &&
      this.isSpaceOrEnd(this.nAt + 1)
    ) {
      items.push(this.entryValue(this.nAt + 1, col));
    }
    if (this.nAt >= 0 && this.nIndent > col) throw new Unsupported();
    return { start: at, items };
  }

  private mapping(at: number, col: number): ScanNode {
    const pairs: ScanPair[] = [];
    this.nAt = at;
    this.nIndent = col;
    while (this.nAt >= 0 && this.nIndent === col) {
      const keyStart = this.nAt;
      const key = this.keyAt(keyStart);
      if (key === undefined) throw new Unsupported(); // e.g. `- x` at a mapping's indent
      const value = this.entryValue(this.keyEnd + 1, col);
      pairs.push({ key, keyStart, value });
    }
    if (this.nAt >= 0 && this.nIndent > col) throw new Unsupported();
    return { start: at, pairs };
  }

  /**
   * The value after `key:` or `-` (offset `i`, just past the indicator) of an entry of a block of
   * indent `col`: on the same line, or a block on the following lines.
   */
  private entryValue(i: number, col: number): ScanNode {
    let j = i;
    while (this.c(j) === SPACE) j++;
    const c = this.c(j);
    if (c === NL || c === HASH) {
      this.nextContent(this.lineEnd(j) + 1);
      // `key:` with nothing deeper is an empty value; `key:` then `- x` at the same indent is a
      // sequence (the compact form), which a sequence entry cannot have.
      if (this.nAt < 0 || this.nIndent < col) throw new Unsupported();
      if (this.nIndent === col) {
        const seqHere = this.c(this.nAt) === DASH && this.isSpaceOrEnd(this.nAt + 1);
        if (!seqHere || this.c(i - 1) === DASH) throw new Unsupported();
        return this.sequence(this.nAt, col);
      }
      return this.block(this.nAt, this.nIndent, col);
    }
    if (j === i && this.c(i - 1) === COLON) throw new Unsupported();
    // A compact block on the entry's line: `- name: x` or `- - x` starts a block at this column.
    const lineStart = this.t.lastIndexOf('\n', j - 1) + 1;
    return this.block(j, j - lineStart, col);
  }

  /** A block mapping key at `i` (`key:` then a space or the line's end; its end in `keyEnd`), or undefined. */
  private keyAt(i: number): string | undefined {
    const c = this.c(i);
    let text: string;
    let j: number;
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quoted(i);
      text = this.t.slice(i + 1, close - 1);
      if (c === DQUOTE ? text.includes('\\') : text.includes("'")) return undefined;
      j = close;
      while (this.c(j) === SPACE) j++;
      if (this.c(j) !== COLON || !this.isSpaceOrEnd(j + 1)) return undefined;
    } else {
      if (!this.plainStart(i)) return undefined;
      j = i;
      for (;;) {
        const d = this.c(j);
        if (d === NL) return undefined;
        if (d === COLON && this.isSpaceOrEnd(j + 1)) break;
        if (d === HASH && this.c(j - 1) === SPACE) return undefined;
        if (d === LBRACE || d === RBRACE || d === LBRACKET || d === RBRACKET || d === COMMA) return undefined;
        j++;
      }
      text = this.t.slice(i, j).trimEnd();
      if (NOT_A_STRING_KEY.test(text)) throw new Unsupported();
    }
    this.keyEnd = j;
    return text;
  }

  private plainStart(i: number): boolean {
    const c = this.c(i);
    if (INDICATORS.has(c) || c === HASH || c === COMMA || c === DQUOTE || c === SQUOTE) return false;
    if (c === LBRACE || c === RBRACE || c === LBRACKET || c === RBRACKET || c === NL) return false;
    if ((c === DASH || c === COLON) && this.isSpaceOrEnd(i + 1)) return false;
    return true;
  }

  /** Offset just past the closing quote of the quoted scalar at `i`; one line only. */
  private quoted(i: number): number {
    const q = this.c(i);
    let j = i + 1;
    for (;;) {
      const d = this.c(j);
      if (d === NL) throw new Unsupported();
      if (q === DQUOTE && d === 0x5c /* \ */) {
        j += 2;
        continue;
      }
      if (d === q) {
        if (q === SQUOTE && this.c(j + 1) === SQUOTE) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
  }

  /** A scalar or flow collection on one block line (the offset just past it in `pos`). */
  private inline(i: number): ScanNode {
    const c = this.c(i);
    if (c === LBRACE || c === LBRACKET) return this.flow(i);
    if (c === DQUOTE || c === SQUOTE) {
      this.pos = this.quoted(i);
      return { start: i };
    }
    if (!this.plainStart(i)) throw new Unsupported();
    let j = i;
    for (;;) {
      const d = this.c(j);
      if (d === NL) break;
      if (d === HASH && this.c(j - 1) === SPACE) break;
      if (d === COLON && this.isSpaceOrEnd(j + 1)) throw new Unsupported();
      j++;
    }
    this.pos = j;
    return { start: i };
  }

  /** Past spaces, line breaks and comments inside a flow collection. */
  private flowSpace(i: number): number {
    for (;;) {
      const c = this.c(i);
      if (i >= this.end) throw new Unsupported();
      if (c === SPACE || c === NL) i++;
      else if (c === HASH && (this.c(i - 1) === SPACE || this.c(i - 1) === NL)) i = this.lineEnd(i);
      else return i;
    }
  }

  /** A flow mapping or sequence at `i` (the offset just past its closing bracket in `pos`). */
  private flow(i: number): ScanNode {
    const mapping = this.c(i) === LBRACE;
    const close = mapping ? RBRACE : RBRACKET;
    const pairs: ScanPair[] = [];
    const items: ScanNode[] = [];
    let j = this.flowSpace(i + 1);
    while (this.c(j) !== close) {
      if (mapping) {
        const keyStart = j;
        let key: string;
        if (this.c(j) === DQUOTE || this.c(j) === SQUOTE) {
          j = this.quoted(j);
          key = this.t.slice(keyStart + 1, j - 1);
          if (key.includes('\\') || key.includes("'")) throw new Unsupported();
          j = this.flowSpace(j);
          if (this.c(j) !== COLON) throw new Unsupported();
        } else {
          if (!this.plainStart(j)) throw new Unsupported();
          for (;;) {
            const d = this.c(j);
            if (d === COLON && this.flowEnd(j + 1)) break;
            if (this.flowEnd(j) || d === NL) throw new Unsupported(); // a key without a value
            j++;
          }
          key = this.t.slice(keyStart, j).trimEnd();
          if (NOT_A_STRING_KEY.test(key)) throw new Unsupported();
        }
        j = this.flowSpace(j + 1);
        if (this.c(j) === COMMA || this.c(j) === close) throw new Unsupported(); // empty value
        const value = this.flowItem(j);
        pairs.push({ key, keyStart, value });
        j = this.flowSpace(this.pos);
      } else {
        items.push(this.flowItem(j));
        j = this.flowSpace(this.pos);
        if (this.c(j) === COLON) throw new Unsupported(); // `[a: b]`, a one-pair mapping
      }
      if (this.c(j) === COMMA) j = this.flowSpace(j + 1);
      else if (this.c(j) !== close) throw new Unsupported();
    }
    this.pos = j + 1;
    return mapping ? { start: i, pairs } : { start: i, items };
  }

  /** True at a character that ends a plain scalar inside a flow collection. */
  private flowEnd(i: number): boolean {
    const c = this.c(i);
    return (
      c === SPACE ||
      c === NL ||
      c === COMMA ||
      c === RBRACE ||
      c === RBRACKET ||
      c === LBRACE ||
      c === LBRACKET
    );
  }

  private flowItem(i: number): ScanNode {
    const c = this.c(i);
    if (c === LBRACE || c === LBRACKET) return this.flow(i);
    if (c === DQUOTE || c === SQUOTE) {
      this.pos = this.quoted(i);
      return { start: i };
    }
    if (!this.plainStart(i)) throw new Unsupported();
    let j = i;
    for (;;) {
      const d = this.c(j);
      if (d === COMMA || d === RBRACE || d === RBRACKET) break;
      if (d === LBRACE || d === LBRACKET) throw new Unsupported();
      if (d === COLON && this.flowEnd(j + 1)) break;
      if (d === NL) throw new Unsupported(); // a plain scalar over two lines
      if (d === HASH && this.c(j - 1) === SPACE) throw new Unsupported();
      j++;
    }
    this.pos = j;
    return { start: i };
  }
}
