/**
 * The HCL that `consul config write` reads (HCL 1, hashicorp/hcl v1, which Consul's
 * command/helpers ParseConfigEntry decodes into a map before its own decode hooks): attributes
 * `Key = value` (or `Key: value` inside objects), blocks `Key { ... }` (a key given twice becomes a
 * list, as HCL 1 decodes repeated blocks), lists, strings (with escapes, `${...}` kept as text),
 * heredocs (`<<EOF`, `<<-EOF`), numbers, booleans, and `#`, `//` and `/* *\/` comments.
 *
 * Hand-written rather than a dependency: the npm HCL parsers (hcl2-parser and @cdktf/hcl2json,
 * HCL 2 compiled from Go; hcl-to-json, a converter) turn HCL into plain values with no positions,
 * and every diagnostic of an import needs the line and column of its field. The parser keeps the position of every key and
 * list element, and reports the first syntax error with its position instead of a value.
 */
import type { FieldPath } from '../../core/loader/positions.js';

export interface HclPosition {
  readonly line: number;
  readonly col: number;
}

export type HclResult =
  | {
      readonly ok: true;
      readonly value: Record<string, unknown>;
      readonly positions: Map<string, HclPosition>;
    }
  | { readonly ok: false; readonly reason: string; readonly at: HclPosition };

class HclError extends Error {
  constructor(
    readonly reason: string,
    readonly at: HclPosition,
  ) {
    super(reason);
  }
}

/** Nesting deeper than this is refused (hostile input), as the YAML loader refuses it. */
const MAX_DEPTH = 64;

export function parseHcl(text: string): HclResult {
  const p = new Parser(text);
  try {
    const value = p.body([], 0, true);
    return { ok: true, value, positions: p.positions };
  } catch (e) {
    if (e instanceof HclError) return { ok: false, reason: e.reason, at: e.at };
    throw e;
  }
}

/** The position of a path: the path itself, else its nearest parent that has one. */
export function locateIn(positions: Map<string, HclPosition>, path: FieldPath): HclPosition {
  for (let i = path.length; i >= 0; i--) {
    const at = positions.get(JSON.stringify(path.slice(0, i)));
    if (at) return at;
  }
  return { line: 1, col: 1 };
}

const IDENT = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const NUMBER = /-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)/y;

class Parser {
  private i = 0;
  readonly positions = new Map<string, HclPosition>();

  constructor(private readonly text: string) {}

  private lineStarts: number[] | undefined;

  private pos(at = this.i): HclPosition {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let k = this.text.indexOf('\n'); k !== -1; k = this.text.indexOf('\n', k + 1))
        this.lineStarts.push(k + 1);
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - starts[lo]! + 1 };
  }

  private fail(reason: string, at = this.i): never {
    throw new HclError(reason, this.pos(at));
  }

  private mark(path: FieldPath, at: number): void {
    this.positions.set(JSON.stringify(path), this.pos(at));
  }

  /** Skips blanks and comments; with `newlines` false, stops at a line end (attribute ends). */
  private skip(newlines = true): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i]!;
      if (c === '\n' && !newlines) return;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.i++;
      else if (c === '#' || (c === '/' && t[this.i + 1] === '/')) {
        const end = t.indexOf('\n', this.i);
        this.i = end === -1 ? t.length : end;
      } else if (c === '/' && t[this.i + 1] === '*') {
        const end = t.indexOf('*/', this.i + 2);
        if (end === -1) this.fail('a /* comment that is never closed');
        this.i = end + 2;
      } else return;
    }
  }

  private peek(): string | undefined {
    return this.text[this.i];
  }

  /** Items up to `}` (or the end of the text at the top): attributes and blocks. */
  body(path: FieldPath, depth: number, top = false): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const out: Record<string, unknown> = {};
    // Keys given more than once: their value is the list of what each gave (HCL 1's repeated blocks).
    const repeated = new Set<string>();
    for (;;) {
      this.skip();
      const c = this.peek();
      if (c === undefined) {
        if (top) return out;
        this.fail('a { that is never closed');
      }
      if (c === '}') {
        if (top) this.fail('a } with no { before it');
        this.i++;
        return out;
      }
      if (c === ',') {
        this.i++;
        continue;
      }
      const keyAt = this.i;
      const key = this.key();
      this.skip(false);
      const sep = this.peek();
      if (key in out && !repeated.has(key)) {
        // The second time: what the first gave becomes the list's first element.
        this.move([...path, key], [...path, key, 0]);
        this.positions.set(JSON.stringify([...path, key]), this.positionOf([...path, key, 0]));
        out[key] = [out[key]];
        repeated.add(key);
      }
      const slot = repeated.has(key) ? (out[key] as unknown[]).length : undefined;
      const at: FieldPath = slot === undefined ? [...path, key] : [...path, key, slot];
      let value: unknown;
      if (sep === '=' || sep === ':') {
        this.i++;
        this.skip();
        value = this.value(at, depth + 1);
      } else if (sep === '{') {
        this.i++;
        value = this.body(at, depth + 1);
      } else if (sep === '"') {
        // A labelled block (`Key "label" { ... }`), as HCL 1 nests it: {Key: {label: {...}}}.
        const label = this.string();
        this.skip(false);
        if (this.peek() !== '{') this.fail(`a { after the block label ${JSON.stringify(label)}`);
        this.i++;
        value = { [label]: this.body([...at, label], depth + 1) };
      } else this.fail(`= or { after ${key}`);
      this.mark(at, keyAt);
      if (slot === undefined) out[key] = value;
      else (out[key] as unknown[]).push(value);
    }
  }

  private positionOf(path: FieldPath): HclPosition {
    return this.positions.get(JSON.stringify(path)) ?? { line: 1, col: 1 };
  }

  /** Re-homes the positions at and below `from` (the first of a repeated key) under `to`. */
  private move(from: FieldPath, to: FieldPath): void {
    const prefix = JSON.stringify(from).slice(0, -1);
    for (const [k, v] of [...this.positions]) {
      if (!k.startsWith(`${prefix},`) && k !== JSON.stringify(from)) continue;
      const rest = JSON.parse(k).slice(from.length) as FieldPath;
      this.positions.delete(k);
      this.positions.set(JSON.stringify([...to, ...rest]), v);
    }
  }

  private key(): string {
    if (this.peek() === '"') return this.string();
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.text);
    if (!m) this.fail(`a key, not ${JSON.stringify(this.peek())}`);
    this.i += m[0].length;
    return m[0];
  }

  private value(path: FieldPath, depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '{') {
      this.i++;
      return this.body(path, depth);
    }
    if (c === '[') {
      this.i++;
      const list: unknown[] = [];
      for (;;) {
        this.skip();
        if (this.peek() === ']') {
          this.i++;
          return list;
        }
        if (this.peek() === undefined) this.fail('a [ that is never closed');
        this.mark([...path, list.length], this.i);
        list.push(this.value([...path, list.length], depth + 1));
        this.skip();
        if (this.peek() === ',') this.i++;
        else if (this.peek() === undefined) this.fail('a [ that is never closed');
        else if (this.peek() !== ']') this.fail('a , or ] between list values');
      }
    }
    if (c === '<' && this.text.startsWith('<<', this.i)) return this.heredoc();
    NUMBER.lastIndex = this.i;
    const n = NUMBER.exec(this.text);
    if (n) {
      this.i += n[0].length;
      return Number(n[0]);
    }
    IDENT.lastIndex = this.i;
    const word = IDENT.exec(this.text)?.[0];
    if (word === 'true' || word === 'false') {
      this.i += word.length;
      return word === 'true';
    }
    return this.fail(
      c === undefined
        ? 'a value at the end of the text'
        : `a value (string, number, bool, list or object), not ${JSON.stringify(word ?? c)}`,
    );
  }

  private string(): string {
    const t = this.text;
    const start = this.i;
    this.i++;
    let out = '';
    let braces = 0;
    while (this.i < t.length) {
      const c = t[this.i]!;
      if (c === '\n') break;
      if (c === '\\') {
        const e = t[this.i + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i += 2;
          continue;
        }
        if (e === 'u') {
          const hex = t.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('\\u needs four hex digits', this.i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.i += 6;
          continue;
        }
        this.fail(`an escape \\${e ?? ''} HCL does not know`, this.i);
      }
      // `${...}` is interpolation text: quotes inside it do not end the string.
      if (c === '$' && t[this.i + 1] === '{') braces++;
      else if (c === '}' && braces > 0) braces--;
      else if (c === '"' && braces === 0) {
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
    return this.fail('a string that is never closed (a " before the line ends)', start);
  }

  private heredoc(): string {
    const t = this.text;
    const m = /<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;
    m.lastIndex = this.i;
    const h = m.exec(t);
    if (!h) this.fail('a heredoc marker (<<EOF) followed by a line end');
    const indent = h[1] === '-';
    const end = h[2]!;
    this.i += h[0].length;
    const lines: string[] = [];
    while (this.i < t.length) {
      const nl = t.indexOf('\n', this.i);
      const line = t.slice(this.i, nl === -1 ? t.length : nl).replace(/\r$/, '');
      this.i = nl === -1 ? t.length : nl + 1;
      // HCL 1 takes the marker after leading blanks either way (its scanner matches
      // `[[:space:]]*<marker>` on the line); `<<-` also strips the common indent of the text.
      if (line.trim() === end) {
        if (!indent) return lines.map((l) => `${l}\n`).join('');
        const pad = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
        return lines.map((l) => `${l.slice(Number.isFinite(pad) ? pad : 0)}\n`).join('');
      }
      lines.push(line);
    }
    return this.fail(`a heredoc never closed by ${end}`);
  }
}
