/**
 * A block-YAML writer for the objects adapters build, byte-identical to js-yaml's
 * `dump(o, { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false })` and several times
 * faster. Rendering was a quarter of compiling 10,000 policies for Linkerd, Consul and App Mesh,
 * and js-yaml decides each scalar's style character by character, through every type of its
 * schema, for output that is nearly all names and numbers.
 *
 * It writes only what it can write exactly as js-yaml does (js-yaml 4, lib/dumper.js: writeNode,
 * writeBlockMapping, writeBlockSequence, chooseScalarStyle): plain objects, arrays, strings on one
 * line, finite numbers without an exponent, booleans and null. Anything else in a document (a
 * multi-line string, NaN, 1e21, an undefined list entry, a Date...) gives that whole document to
 * js-yaml, so the output never depends on which writer ran (test/unit/core/yaml-emit.test.ts
 * compares the two on every golden and on generated objects).
 */
import { dump } from 'js-yaml';

export const DUMP_OPTIONS = { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false } as const;

/** Thrown inside the writer when a value is outside what it writes exactly; caught per document. */
const OUTSIDE = Symbol('outside the fast writer');

/**
 * Strings js-yaml always writes plain: a letter, then letters, digits, `_`, `.`, `/`, `-` and
 * inner spaces. No implicit type of js-yaml's default schema resolves a string that starts with a
 * letter except the words below (null, booleans, and YAML 1.1's booleans, which js-yaml quotes
 * for compatibility: DEPRECATED_BOOLEANS_SYNTAX).
 */
const ALWAYS_PLAIN = /^[A-Za-z](?:[A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?$/;
const RESERVED_WORDS = new Set(
  ['null Null NULL true True TRUE false False FALSE', 'y Y yes Yes YES on On ON n N no No NO off Off OFF']
    .join(' ')
    .split(' '),
);

/** Other one-line strings, as js-yaml writes them alone (the style of a one-line scalar does not depend on where it is). */
const written = new Map<string, string>();
const WRITTEN_LIMIT = 50_000;

function scalar(s: string): string {
  if (ALWAYS_PLAIN.test(s) && (s.length > 5 || !RESERVED_WORDS.has(s))) return s;
  let out = written.get(s);
  if (out === undefined) {
    // A line break makes a block scalar, indented by depth: js-yaml writes the document.
    if (s.includes('\n')) throw OUTSIDE;
    out = dump(s, DUMP_OPTIONS).slice(0, -1);
    if (written.size >= WRITTEN_LIMIT) written.clear();
    written.set(s, out);
  }
  return out;
}

function number(n: number): string {
  // Integers and plain decimals print as JavaScript prints them; -0, NaN, infinities and exponents
  // have YAML spellings of their own.
  if (!Number.isFinite(n) || Object.is(n, -0)) throw OUTSIDE;
  const s = String(n);
  if (s.includes('e')) throw OUTSIDE;
  return s;
}

const isPlainObject = (v: object): boolean => Object.prototype.toString.call(v) === '[object Object]';

/** `indents[level]`: a line break and the indentation of a block at that level. */
const indents: string[] = [];
const newline = (level: number): string => {
  let s = indents[level];
  if (s === undefined) {
    s = `\n${'  '.repeat(level)}`;
    indents[level] = s;
  }
  return s;
};

/** A value at `level`: a scalar, `{}`/`[]`, or a block that starts with its own line break unless `compact`. */
function node(value: unknown, level: number, compact: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? '""' : scalar(value);
    case 'number':
      return number(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : sequence(value, level, compact);
      if (!isPlainObject(value)) throw OUTSIDE;
      return mapping(value as Record<string, unknown>, level, compact);
    default:
      throw OUTSIDE;
  }
}

function mapping(object: Record<string, unknown>, level: number, compact: boolean): string {
  let out = '';
  for (const key of Object.keys(object)) {
    const value = node(object[key], level + 1, false);
    // js-yaml leaves out a pair whose value it cannot write (undefined).
    if (value === undefined) continue;
    // A key over 1,024 characters becomes an explicit `? key` pair in js-yaml.
    if (key.length > 1000) throw OUTSIDE;
    if (!compact || out !== '') out += newline(level);
    out += key.length === 0 ? '""' : scalar(key);
    out += value.charCodeAt(0) === 10 ? ':' : ': ';
    out += value;
  }
  return out === '' ? '{}' : out;
}

function sequence(items: readonly unknown[], level: number, compact: boolean): string {
  let out = '';
  for (const item of items) {
    // js-yaml writes an undefined entry as null, and other unwritable entries not at all.
    if (item === undefined) throw OUTSIDE;
    const value = node(item, level + 1, true) as string;
    if (!compact || out !== '') out += newline(level);
    out += value.charCodeAt(0) === 10 ? '-' : '- ';
    out += value;
  }
  return out;
}

/** One document by the fast writer, or undefined when it holds something only js-yaml writes. */
export function fastYaml(value: unknown): string | undefined {
  try {
    const out = node(value, 0, true);
    return out === undefined ? undefined : `${out}\n`;
  } catch (e) {
    if (e !== OUTSIDE) throw e;
    return undefined;
  }
}

/** One document, as js-yaml's dump writes it (with its final line break). */
export function dumpYaml(value: unknown): string {
  return fastYaml(value) ?? dump(value, DUMP_OPTIONS);
}
