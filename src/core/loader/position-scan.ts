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

/**
 * A document's index, flat: one Int32Array instead of an object per node, pair and key. Why: the
 * objects of an index (~10 KB a document, a key string per pair) were two thirds of what compiling
 * 100,000 policies for Linkerd, Consul or App Mesh allocated into the old generation (a sampling
 * heap profile of the compile phase: 2.0 of 3.0 GB), since documents are indexed again by each
 * stage that reports on them; the heap grew to that and peak memory with it. The flat form is ~1 KB
 * a document and a single allocation.
 *
 * Layout, in preorder. A node is NODE_SIZE ints: [start, kind, count, next] where `next` is the
 * index just past its subtree (so a reader skips a child without walking it). A mapping's node is
 * followed by `count` pairs, each PAIR_SIZE ints [keyStart, keyTextStart, keyTextLength] and then
 * its value node; a sequence's by `count` item nodes. The root node is at index 0. Keys are
 * offsets into the text: a key's text is the text there (the scanner takes no quoted key with
 * escapes), compared with `keyIs`.
 */
export type ScanIndex = Int32Array;

export const NODE_SIZE = 4;
export const PAIR_SIZE = 3;
export const SCALAR = 0;
export const MAPPING = 1;
export const SEQUENCE = 2;

/** True when the key of the pair at `pair` in `ix` is `want`. */
export function keyIs(text: string, ix: ScanIndex, pair: number, want: string): boolean {
  return ix[pair + 2] === want.length && text.startsWith(want, ix[pair + 1]);
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
/**
 * Keys whose string value `yaml` would not keep as written (numbers, booleans, null): those that
 * start with one of these characters, or are true, false or null in any case.
 */
const NOT_A_STRING_KEY_START = new Set([...'-+.0123456789~'].map((c) => c.charCodeAt(0)));
const NOT_A_STRING_KEY = /^(?:true|false|null)$/i;

/** The ints the scratch buffer starts with; it grows by doubling (policy documents fit). */
const INITIAL_INTS = 1024;
/** A scratch buffer grown past this many ints (a huge document) is let go after its scan. */
const KEPT_SCRATCH_INTS = 1 << 16;

/**
 * The buffer indexes are written into (one scan at a time: scanning is synchronous), kept between
 * documents so that a scan allocates only its result.
 */
let scratch = new Int32Array(INITIAL_INTS);

/**
 * The index of the document in text[start, end), or undefined when it is outside the subset. A
 * document with no content gives null, as `yaml`'s empty documents do.
 */
export function scanDocument(text: string, start: number, end: number): ScanIndex | null | undefined {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x09 || c === 0x0d || c === 0xfeff) return undefined; // tabs, CR, a byte-order mark
  }
  try {
    return new Scanner(text, end).document(start);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  } finally {
    if (scratch.length > KEPT_SCRATCH_INTS) scratch = new Int32Array(INITIAL_INTS);
  }
}

/**
 * The scanner writes nodes into `out` (see ScanIndex) and leaves where reading stopped in fields
 * (`nAt`/`nIndent`: the next content line; `pos`: the end of an inline node; `keyEnd` and the key's
 * text) instead of returning objects: a pair per line and per node was most of the garbage of
 * indexing 10,000 documents, when every document gets a diagnostic (Linkerd, Consul, App Mesh with
 * degrading).
 */
class Scanner {
  /** The next content line after what was read: its first character's offset (-1: none) and indent. */
  private nAt = -1;
  private nIndent = 0;
  /** Just past the inline node (scalar or flow collection) last read. */
  private pos = 0;
  /** Just past the key (before its colon) that `keyAt` last found, and where its text is. */
  private keyEnd = 0;
  private keyText = 0;
  private keyLength = 0;
  /** The index being written, and how many of its ints are used. */
  private out = scratch;
  private n = 0;

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

  document(start: number): ScanIndex | null {
    this.nextContent(start);
    if (this.nAt < 0) return null;
    this.block(this.nAt, this.nIndent, -1);
    if (this.nAt >= 0) throw new Unsupported(); // more content than one node
    // A copy of exactly the ints used: the scratch buffer serves the next document.
    return this.out.slice(0, this.n);
  }

  /** Room for `ints` more ints in `out`, doubling it (and the shared scratch) when full. */
  private reserve(ints: number): void {
    if (this.n + ints <= this.out.length) return;
    const bigger = new Int32Array(Math.max(this.out.length * 2, this.n + ints));
    bigger.set(this.out.subarray(0, this.n));
    this.out = bigger;
    scratch = bigger;
  }

  /** Starts a node at text offset `start`; its count and end are set by `close`. */
  private open(start: number, kind: number): number {
    this.reserve(NODE_SIZE);
    const at = this.n;
    this.out[at] = start;
    this.out[at + 1] = kind;
    this.out[at + 2] = 0;
    this.out[at + 3] = 0;
    this.n += NODE_SIZE;
    return at;
  }

  private close(node: number, count: number): void {
    this.out[node + 2] = count;
    this.out[node + 3] = this.n;
  }

  /** A scalar: a node with nothing inside. */
  private scalar(start: number): void {
    this.close(this.open(start, SCALAR), 0);
  }

  /** A pair's key (its value node follows): where it is written and where its text is. */
  private pair(keyStart: number, text: number, length: number): void {
    this.reserve(PAIR_SIZE);
    this.out[this.n] = keyStart;
    this.out[this.n + 1] = text;
    this.out[this.n + 2] = length;
    this.n += PAIR_SIZE;
  }

  /**
   * A node starting at content offset `at` in column `col`, inside a parent block of indent
   * `parent`; leaves the next content line after it in `nAt`/`nIndent`.
   */
  private block(at: number, col: number, parent: number): void {
    const c = this.c(at);
    if (c === DASH && this.isSpaceOrEnd(at + 1)) {
      this.sequence(at, col);
      return;
    }
    if (this.keyAt(at)) {
      this.mapping(at, col);
      return;
    }
    // A scalar or flow collection on its line; a following deeper line would continue it.
    this.inline(at);
    this.nextContent(this.endOfLine(this.pos));
    if (this.nAt >= 0 && this.nIndent > parent) throw new Unsupported();
  }

  private isSpaceOrEnd(i: number): boolean {
    const c = this.c(i);
    return c === SPACE || c === NL;
  }

  private sequence(at: number, col: number): void {
    const node = this.open(at, SEQUENCE);
    let count = 0;
    this.nAt = at;
    this.nIndent = col;
    while (
      this.nAt >= 0 &&
      this.nIndent === col &&
      this.c(this.nAt) === DASH &&
      this.isSpaceOrEnd(this.nAt + 1)
    ) {
      this.entryValue(this.nAt + 1, col);
      count++;
    }
    if (this.nAt >= 0 && this.nIndent > col) throw new Unsupported();
    this.close(node, count);
  }

  private mapping(at: number, col: number): void {
    const node = this.open(at, MAPPING);
    let count = 0;
    this.nAt = at;
    this.nIndent = col;
    while (this.nAt >= 0 && this.nIndent === col) {
      const keyStart = this.nAt;
      if (!this.keyAt(keyStart)) throw new Unsupported(); // e.g. `- x` at a mapping's indent
      this.pair(keyStart, this.keyText, this.keyLength);
      this.entryValue(this.keyEnd + 1, col);
      count++;
    }
    if (this.nAt >= 0 && this.nIndent > col) throw new Unsupported();
    this.close(node, count);
  }

  /**
   * The value after `key:` or `-` (offset `i`, just past the indicator) of an entry of a block of
   * indent `col`: on the same line, or a block on the following lines.
   */
  private entryValue(i: number, col: number): void {
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
        this.sequence(this.nAt, col);
      } else {
        this.block(this.nAt, this.nIndent, col);
      }
      return;
    }
    if (j === i && this.c(i - 1) === COLON) throw new Unsupported();
    // A compact block on the entry's line: `- name: x` or `- - x` starts a block at this column.
    const lineStart = this.t.lastIndexOf('\n', j - 1) + 1;
    this.block(j, j - lineStart, col);
  }

  /**
   * A block mapping key at `i` (`key:` then a space or the line's end): true, with its end in
   * `keyEnd` and its text's offset and length in `keyText`/`keyLength`; false when there is none.
   */
  private keyAt(i: number): boolean {
    const c = this.c(i);
    let j: number;
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quoted(i);
      // The text between the quotes is the key only without escapes (`\` or `''`).
      if (this.has(c === DQUOTE ? 0x5c : SQUOTE, i + 1, close - 1)) return false;
      j = close;
      while (this.c(j) === SPACE) j++;
      if (this.c(j) !== COLON || !this.isSpaceOrEnd(j + 1)) return false;
      this.keyText = i + 1;
      this.keyLength = close - 1 - (i + 1);
    } else {
      if (!this.plainStart(i)) return false;
      j = i;
      for (;;) {
        const d = this.c(j);
        if (d === NL) return false;
        if (d === COLON && this.isSpaceOrEnd(j + 1)) break;
        if (d === HASH && this.c(j - 1) === SPACE) return false;
        if (d === LBRACE || d === RBRACE || d === LBRACKET || d === RBRACKET || d === COMMA) return false;
        j++;
      }
      this.plainKey(i, j);
    }
    this.keyEnd = j;
    return true;
  }

  /** True when character `code` occurs in text[from, to). */
  private has(code: number, from: number, to: number): boolean {
    for (let k = from; k < to; k++) if (this.t.charCodeAt(k) === code) return true;
    return false;
  }

  /**
   * The plain key in text[from, to) without its trailing spaces (YAML's white space is spaces and
   * tabs, and the scanner takes no tabs) into `keyText`/`keyLength`; a key `yaml` would not keep
   * as the string written (a number, boolean or null) is unsupported.
   */
  private plainKey(from: number, to: number): void {
    let end = to;
    while (end > from && this.t.charCodeAt(end - 1) === SPACE) end--;
    const length = end - from;
    if (NOT_A_STRING_KEY_START.has(this.t.charCodeAt(from))) throw new Unsupported();
    if ((length === 4 || length === 5) && NOT_A_STRING_KEY.test(this.t.slice(from, end)))
      throw new Unsupported();
    this.keyText = from;
    this.keyLength = length;
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
  private inline(i: number): void {
    const c = this.c(i);
    if (c === LBRACE || c === LBRACKET) {
      this.flow(i);
      return;
    }
    if (c === DQUOTE || c === SQUOTE) {
      this.pos = this.quoted(i);
      this.scalar(i);
      return;
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
    this.scalar(i);
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
  private flow(i: number): void {
    const mapping = this.c(i) === LBRACE;
    const close = mapping ? RBRACE : RBRACKET;
    const node = this.open(i, mapping ? MAPPING : SEQUENCE);
    let count = 0;
    let j = this.flowSpace(i + 1);
    while (this.c(j) !== close) {
      if (mapping) {
        const keyStart = j;
        if (this.c(j) === DQUOTE || this.c(j) === SQUOTE) {
          j = this.quoted(j);
          if (this.has(0x5c, keyStart + 1, j - 1) || this.has(SQUOTE, keyStart + 1, j - 1))
            throw new Unsupported();
          this.keyText = keyStart + 1;
          this.keyLength = j - 1 - (keyStart + 1);
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
          this.plainKey(keyStart, j);
        }
        this.pair(keyStart, this.keyText, this.keyLength);
        j = this.flowSpace(j + 1);
        if (this.c(j) === COMMA || this.c(j) === close) throw new Unsupported(); // empty value
        this.flowItem(j);
        j = this.flowSpace(this.pos);
      } else {
        this.flowItem(j);
        j = this.flowSpace(this.pos);
        if (this.c(j) === COLON) throw new Unsupported(); // `[a: b]`, a one-pair mapping
      }
      count++;
      if (this.c(j) === COMMA) j = this.flowSpace(j + 1);
      else if (this.c(j) !== close) throw new Unsupported();
    }
    this.pos = j + 1;
    this.close(node, count);
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

  private flowItem(i: number): void {
    const c = this.c(i);
    if (c === LBRACE || c === LBRACKET) {
      this.flow(i);
      return;
    }
    if (c === DQUOTE || c === SQUOTE) {
      this.pos = this.quoted(i);
      this.scalar(i);
      return;
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
    this.scalar(i);
  }
}
