/**
 * Reads policy inputs: files, directories (every *.yaml / *.yml below, recursively, in sorted
 * order) and `-` for standard input; splits multi-document YAML; and survives hostile input (alias
 * bombs, binary files, huge files, deep nesting) with a diagnostic rather than a hang or a crash.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, loadAll, type Type, YAMLException } from 'js-yaml';
import { type Diagnostic, diag, type SourceLocation } from '../diagnostics.js';
import { decodeInput } from './decode.js';
import { type FieldPath, FilePositions } from './positions.js';

/**
 * YAML 1.1 merge keys (`<<: *base`) expanded as kubectl expands them (go-yaml v2 behind
 * sigs.k8s.io/yaml): the mapping's own keys win over merged ones, a list of aliases merges in
 * order. js-yaml's CORE_SCHEMA leaves `<<` a plain key; its `merge` type (not in the typings) adds it.
 */
const POLICY_SCHEMA = CORE_SCHEMA.extend({
  implicit: [(jsYaml as unknown as { types: { merge: Type } }).types.merge],
});

/** Limits that keep hostile input from exhausting memory or time. */
export interface LoadLimits {
  /** Bytes per input. */
  readonly maxBytes: number;
  /** Documents per input. */
  readonly maxDocuments: number;
  /** Nesting depth of a document. */
  readonly maxDepth: number;
  /** Nodes visited per document, aliases counted each time they are used (alias bombs). */
  readonly maxNodes: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxBytes: Number(process.env.ANYMESH_MAX_INPUT_BYTES) || 32 * 1024 * 1024,
  maxDocuments: 100_000,
  maxDepth: 64,
  maxNodes: 100_000,
};

export interface LoadedDocument {
  /** The file as the user named it (`<stdin>` for `-`). */
  readonly file: string;
  /** The document's index within its file, from 0. */
  readonly index: number;
  readonly value: unknown;
  readonly positions: DocumentPositions;
}

/** Where a field of a document is: FilePositions for YAML, an importer's own for other forms. */
export interface DocumentPositions {
  locate(docIndex: number, path: FieldPath, key?: boolean): SourceLocation;
}

/**
 * Other forms an importer reads (import-only: policy files are YAML): more file names in a
 * directory, and a parser asked first for each input (undefined leaves it to YAML).
 */
export interface InputFormat {
  readonly extensions?: RegExp;
  parse?(input: Input): LoadResult | undefined;
}

export interface LoadResult {
  readonly documents: LoadedDocument[];
  readonly diagnostics: Diagnostic[];
}

export interface Input {
  readonly name: string;
  readonly text: string | Buffer;
}

const YAML_FILE = /\.ya?ml$/i;

/** Expands the user's PATH arguments into inputs; `-` reads `stdin` (given, for testability). */
function readInputs(
  paths: readonly string[],
  stdin?: () => Buffer,
  format?: InputFormat,
): { inputs: Input[]; diagnostics: Diagnostic[] } {
  const inputs: Input[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    let real: string;
    let stat: ReturnType<typeof statSync>;
    try {
      real = realpathSync(path);
      stat = statSync(real);
    } catch (e) {
      diagnostics.push(
        diag(
          'FileNotFound',
          { what: path, reason: errorReason(e) },
          { location: { file: path, line: 0, col: 0 } },
        ),
      );
      return;
    }
    if (seen.has(real)) return; // symlink loops and a path given twice
    seen.add(real);
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = readdirSync(real).sort();
      } catch (e) {
        diagnostics.push(
          diag(
            'FileNotFound',
            { what: path, reason: errorReason(e) },
            { location: { file: path, line: 0, col: 0 } },
          ),
        );
        return;
      }
      for (const entry of entries) {
        if (entry.startsWith('.')) continue; // .git and editor files
        const child = join(path, entry);
        let childStat: ReturnType<typeof statSync> | undefined;
        try {
          childStat = statSync(child);
        } catch {
          childStat = undefined; // dangling link: reported when visited only if named directly
        }
        const read = YAML_FILE.test(entry) || (format?.extensions?.test(entry) ?? false);
        if (childStat?.isDirectory() || (childStat?.isFile() && read)) visit(child);
      }
      return;
    }
    if (stat.size > DEFAULT_LIMITS.maxBytes) {
      diagnostics.push(
        diag(
          'InputTooLarge',
          { size: stat.size, limit: DEFAULT_LIMITS.maxBytes },
          { location: { file: path, line: 0, col: 0 } },
        ),
      );
      return;
    }
    try {
      inputs.push({ name: path, text: readFileSync(real) });
    } catch (e) {
      diagnostics.push(
        diag(
          'FileNotFound',
          { what: path, reason: errorReason(e) },
          { location: { file: path, line: 0, col: 0 } },
        ),
      );
    }
  };
  for (const p of paths) {
    if (p === '-') {
      inputs.push({ name: '<stdin>', text: stdin ? stdin() : readFileSync(0) });
    } else {
      visit(p);
    }
  }
  return { inputs, diagnostics };
}

function errorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  if (err.code === 'EISDIR') return 'is a directory';
  return err.message ?? String(e);
}

/** Parses one input into documents; every problem becomes a diagnostic. */
export function parseInput(input: Input, limits: LoadLimits = DEFAULT_LIMITS): LoadResult {
  const file = input.name;
  const at = (line = 0, col = 0) => ({ location: { file, line, col } });
  let text: string;
  if (typeof input.text === 'string') {
    text = input.text;
  } else {
    if (input.text.length > limits.maxBytes) {
      return {
        documents: [],
        diagnostics: [diag('InputTooLarge', { size: input.text.length, limit: limits.maxBytes }, at())],
      };
    }
    const decoded = decodeInput(input.text); // UTF-8, or UTF-16 as Windows tools write it
    if (!decoded) return { documents: [], diagnostics: [diag('BinaryInput', {}, at())] };
    text = decoded.text;
  }
  if (text.length > limits.maxBytes) {
    return {
      documents: [],
      diagnostics: [diag('InputTooLarge', { size: text.length, limit: limits.maxBytes }, at())],
    };
  }
  if (text.includes('\u0000')) return { documents: [], diagnostics: [diag('BinaryInput', {}, at())] };
  // Deep nesting: js-yaml itself stops at 100 levels of flow or block nesting (its `maxDepth`,
  // reported below as YamlTooDeep), and `measure` stops anything deeper than limits.maxDepth. A
  // character pre-scan for `[`/`{` used to run here; it could not tell flow collections from
  // brackets in plain or block scalars, so `a: x[x[x[...` or a `|` block of brackets was refused.

  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema: POLICY_SCHEMA, filename: file, json: false });
  } catch (e) {
    if (e instanceof YAMLException) {
      const mark = e.mark;
      // js-yaml reads the text with a newline appended, so an error at the very end of a file
      // without a final newline was placed on a line one past the last: clamp it to the end.
      const lines = text.split('\n');
      const past = mark !== undefined && mark !== null && mark.line >= lines.length;
      const line = mark ? Math.min(mark.line + 1, lines.length) : 0;
      const col = mark ? (past ? (lines[lines.length - 1]?.length ?? 0) + 1 : mark.column + 1) : 0;
      if (/duplicated mapping key/.test(e.reason)) {
        // The mark points at the repeated key itself; read the key from there (the first word of
        // the line named the wrong key for flow mappings such as `rules: [{a: 1, a: 2}]`).
        const rest = (text.split('\n')[mark?.line ?? 0] ?? '').slice(mark?.column ?? 0);
        const key = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:,{}[\]\s][^:,{}[\]]*?)\s*:/.exec(rest)?.[1] ?? '?';
        return { documents: [], diagnostics: [diag('DuplicateKey', { key }, at(line, col))] };
      }
      if (/nesting exceeded maxDepth/.test(e.reason)) {
        // js-yaml's own nesting limit (100 levels, flow or block): the same problem as `measure`'s.
        return {
          documents: [],
          diagnostics: [diag('YamlTooDeep', { limit: limits.maxDepth }, at(line, col))],
        };
      }
      return { documents: [], diagnostics: [diag('YamlSyntax', { reason: e.reason }, at(line, col))] };
    }
    if (e instanceof RangeError) {
      return { documents: [], diagnostics: [diag('YamlTooDeep', { limit: limits.maxDepth }, at())] };
    }
    throw e;
  }
  const positions = new FilePositions(file, text);
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  if (values.length > limits.maxDocuments) {
    return { documents: [], diagnostics: [diag('TooManyDocuments', { limit: limits.maxDocuments }, at())] };
  }
  values.forEach((value, index) => {
    if (value === null || value === undefined) return; // empty documents, e.g. a trailing `---`
    const shape = measure(value, limits);
    if (shape === 'deep') {
      diagnostics.push(
        diag('YamlTooDeep', { limit: limits.maxDepth }, { location: positions.locate(index, []) }),
      );
      return;
    }
    if (shape === 'wide') {
      diagnostics.push(
        diag(
          'YamlAliasLimit',
          { reason: `over ${limits.maxNodes} nodes once aliases are expanded` },
          { location: positions.locate(index, []) },
        ),
      );
      return;
    }
    documents.push({ file, index, value, positions });
  });
  return { documents, diagnostics };
}

/**
 * Walks a parsed value with a budget: aliases parse to shared references, so an alias bomb is a
 * small graph that becomes exponentially large when anything later walks it. Depth first, the
 * last child first (as the explicit stack it replaces did, so a value both too deep and too wide
 * is reported the same way); recursive because a [value, depth] pair per node was 5% of loading
 * 10,000 policies, with its garbage. The recursion is at most maxDepth + 1 deep.
 */
function measure(value: unknown, limits: LoadLimits): 'ok' | 'deep' | 'wide' {
  let budget = limits.maxNodes;
  const walk = (v: unknown, depth: number): 'ok' | 'deep' | 'wide' => {
    if (--budget < 0) return 'wide';
    if (depth > limits.maxDepth) return 'deep';
    if (v !== null && typeof v === 'object') {
      const children = Array.isArray(v) ? v : Object.values(v);
      for (let i = children.length - 1; i >= 0; i--) {
        const r = walk(children[i], depth + 1);
        if (r !== 'ok') return r;
      }
    }
    return 'ok';
  };
  return walk(value, 0);
}

/** Reads and parses every input; diagnostics of all inputs are collected, none stops the rest. */
export function loadDocuments(
  paths: readonly string[],
  stdin?: () => Buffer,
  format?: InputFormat,
): LoadResult {
  const { inputs, diagnostics } = readInputs(paths, stdin, format);
  const parsed = parseInputs(inputs, format);
  return { documents: parsed.documents, diagnostics: [...diagnostics, ...parsed.diagnostics] };
}

/** Parses inputs already read (files, or text held in memory). */
export function parseInputs(inputs: readonly Input[], format?: InputFormat): LoadResult {
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    const r = format?.parse?.(input) ?? parseInput(input);
    documents.push(...r.documents);
    diagnostics.push(...r.diagnostics);
  }
  return { documents, diagnostics };
}

export type { FieldPath };
