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
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const warnings = diagnostics.filter((d) => d.level === 'warning').length;
  if (errors || warnings) {
    io.err(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
}

/** Diagnostics as data, for `-o json` consumers. */
export function diagnosticsJson(diagnostics: readonly Diagnostic[]): object[] {
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
