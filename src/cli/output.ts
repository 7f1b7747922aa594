/**
 * Where output goes: resources and reports to stdout, diagnostics to stderr, so
 * `anymesh compile ... > out.yaml` captures only YAML. Kept behind an interface so tests can run
 * commands in-process and read both streams.
 */
import { type Diagnostic, formatDiagnostic } from '../core/diagnostics.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, read whole, for `-f -`. */
  stdin(): Buffer;
  /** True when stderr is a terminal (progress and colour are for people only). */
  readonly interactive: boolean;
  /** How diagnostics are shown (-q, --max-warnings, colour, width); defaults when absent. */
  readonly display?: DisplayOptions;
}

export interface DisplayOptions {
  /** -q/--quiet: errors only (warnings and notes are still counted). */
  readonly quiet?: boolean;
  /** --max-warnings N: more warnings than N make the command exit 1, as eslint's flag does. */
  readonly maxWarnings?: number;
  /** Colour the level and code (a terminal, NO_COLOR unset, no --no-color). */
  readonly color?: boolean;
  /** Wrap lines at this width (a terminal's columns), between words; full text either way. */
  readonly width?: number;
  /** Warnings reported so far, in any format, for --max-warnings. */
  readonly tally?: WarningTally;
}

/**
 * The warnings a command reported, whichever way it reported them (stderr lines or a JSON
 * document on stdout): `--max-warnings` must judge `-o json` runs as it judges text ones. Each
 * diagnostic counts once even when a command both prints and serialises it.
 */
export interface WarningTally {
  warnings: number;
  readonly counted: WeakSet<object>;
}

export function newTally(): WarningTally {
  return { warnings: 0, counted: new WeakSet() };
}

/** Adds the warnings among `items` (diagnostics or report entries with a level) to the tally. */
export function countWarnings(io: Io, items: readonly { readonly level: string }[]): void {
  const tally = io.display?.tally;
  if (!tally) return;
  for (const d of items) {
    if (d.level !== 'warning' || tally.counted.has(d)) continue;
    tally.counted.add(d);
    tally.warnings += 1;
  }
}

/** Positions listed with a grouped diagnostic before `and N more`. */
const GROUP_POSITIONS = 6;

function where(d: Diagnostic): string {
  if (!d.location) return '';
  return d.location.line > 0 ? `${d.location.file}:${d.location.line}:${d.location.col}` : d.location.file;
}

/**
 * Diagnostics with the same code and message are one entry: the first in full, then the other
 * positions, so twelve policies with the same advice print it once (-o json keeps every one).
 */
export function groupDiagnostics(
  diagnostics: readonly Diagnostic[],
): { first: Diagnostic; more: Diagnostic[] }[] {
  type Group = { first: Diagnostic; more: Diagnostic[] };
  // Maps nested by code, path and message, not one joined key per diagnostic: a joined key was a
  // copy of each message (850,000 of them for 100,000 policies on App Mesh, 400,000 distinct).
  const index = new Map<string, Map<string, Map<string, Group>>>();
  const groups: Group[] = []; // in the order of each group's first diagnostic
  for (const d of diagnostics) {
    let byPath = index.get(d.code);
    if (!byPath) {
      byPath = new Map();
      index.set(d.code, byPath);
    }
    let byMessage = byPath.get(d.path ?? '');
    if (!byMessage) {
      byMessage = new Map();
      byPath.set(d.path ?? '', byMessage);
    }
    const message = d.message;
    const g = byMessage.get(message);
    if (g) g.more.push(d);
    else {
      const group = { first: d, more: [] };
      byMessage.set(message, group);
      groups.push(group);
    }
  }
  return groups;
}

const COLORS: Record<string, string> = { error: '31', warning: '33', info: '36' };

/** `error AM2003` in colour, the rest as it is. */
function colorize(line: string, d: Diagnostic): string {
  const tag = `${d.level} ${d.code}`;
  const i = line.indexOf(tag);
  if (i < 0) return line;
  return `${line.slice(0, i)}\x1b[1;${COLORS[d.level] ?? '0'}m${d.level}\x1b[0m \x1b[1m${d.code}\x1b[0m${line.slice(i + tag.length)}`;
}

/** Wraps `text` at `width` between words (a word longer than the line stays whole), indenting continuations. */
export function wrap(text: string, width: number | undefined, indent = '    '): string {
  if (!width || width < 40 || text.length <= width) return text;
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const limit = out.length ? width - indent.length : width;
    if (line && line.length + 1 + word.length > limit) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.map((l, i) => (i ? indent + l : l)).join('\n');
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  const display = io.display ?? {};
  const shown = display.quiet ? diagnostics.filter((d) => d.level === 'error') : diagnostics;
  for (const { first, more } of groupDiagnostics(shown)) {
    let line = wrap(formatDiagnostic(first), display.width);
    if (display.color) line = colorize(line, first);
    io.err(`${line}\n`);
    if (more.length) {
      // Positions in the first one's file as line:col, others with their file.
      const positions = more
        .slice(0, GROUP_POSITIONS)
        .map((d) =>
          d.location?.file === first.location?.file && d.location && d.location.line > 0
            ? `${d.location.line}:${d.location.col}`
            : where(d),
        )
        .filter(Boolean);
      const rest = more.length - positions.length;
      io.err(
        `${wrap(`  ... and ${more.length} more: ${positions.join(', ')}${rest > 0 ? `, and ${rest} others` : ''}`, display.width)}\n`,
      );
    }
  }
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const warnings = diagnostics.filter((d) => d.level === 'warning').length;
  countWarnings(io, diagnostics);
  if (errors || (warnings && !display.quiet)) {
    io.err(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
}

/**
 * Diagnostics as data, for `-o json` consumers. It takes the Io so that every diagnostic a JSON
 * document reports is counted for `--max-warnings`, as printDiagnostics counts the printed ones.
 */
export function diagnosticsJson(io: Io, diagnostics: readonly Diagnostic[]): object[] {
  countWarnings(io, diagnostics);
  return diagnostics.map((d) => ({
    code: d.code,
    level: d.level,
    message: d.message,
    ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.col } : {}),
    ...(d.path ? { path: d.path } : {}),
    ...(d.policy ? { policy: d.policy } : {}),
    ...(d.feature ? { feature: d.feature } : {}),
  }));
}

/** `note: skipped 3 documents of other kinds (ConfigMap 2, Kustomization 1)`, or nothing. */
export function skippedNote(skipped: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(skipped ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const n = entries.reduce((sum, [, c]) => sum + c, 0);
  if (!n) return '';
  return `note: skipped ${n} document${n === 1 ? '' : 's'} of other kinds (${entries.map(([k, c]) => `${k} ${c}`).join(', ')}); --strict-kinds refuses them\n`;
}

/**
 * The closing line of a command that wrote nothing because of errors; it mentions
 * `--allow-degraded` only when that flag would help (some feature was refused by the mesh).
 */
export function nothingWritten(diagnostics: readonly Diagnostic[]): string {
  const refused = diagnostics.some((d) => d.code === 'AM3001');
  return `nothing was written: fix the errors above${refused ? ' (or use --allow-degraded to leave out what the mesh cannot express)' : ''}\n`;
}

/**
 * kubectl's `-o name`: `<kind>.<group>/<name>` in lower case (`virtualservice.networking.istio.io/reviews`),
 * just `<kind>/<name>` for the core group, one per line, for `xargs` and scripts.
 */
export function nameLine(o: { apiVersion: string; kind: string; name: string }): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.name}\n`;
}
