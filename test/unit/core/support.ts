/** Helpers for the core unit tests: positions of text in a YAML input, diagnostics as short rows. */
import type { Diagnostic } from '../../../src/core/diagnostics.js';

/**
 * Where a diagnostic is expected: `L:C` literally, or a needle whose first character (its `nth`
 * occurrence, from 1) is the position, so tables stay readable and survive edits to the YAML.
 */
export type Where = string | readonly [needle: string, nth: number];

/** The 1-based `line:col` of `where` in `text`. */
export function positionOf(text: string, where: Where): string {
  if (typeof where === 'string' && /^\d+:\d+$/.test(where)) return where;
  const [needle, nth] = typeof where === 'string' ? [where, 1] : where;
  let idx = -1;
  for (let i = 0; i < nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test bug: ${JSON.stringify(needle)} #${nth} is not in the input`);
  }
  const before = text.slice(0, idx);
  return `${before.split('\n').length}:${idx - before.lastIndexOf('\n')}`;
}

/** A diagnostic as `CODE path @line:col`, the three things tests assert. */
export function row(d: Diagnostic): string {
  return `${d.code} ${d.path ?? ''} @${d.location?.line ?? '-'}:${d.location?.col ?? '-'}`;
}

export function rows(ds: readonly Diagnostic[]): string[] {
  return ds.map(row).sort();
}

/** The expected rows for a table entry. */
export function expectedRows(
  text: string,
  expected: readonly (readonly [string, string, Where])[],
): string[] {
  return expected.map(([code, path, where]) => `${code} ${path} @${positionOf(text, where)}`).sort();
}

export const API = 'apiVersion: anymesh.dev/v1alpha1';

/** A TrafficPolicy whose spec is `spec` (already indented by two spaces); spec starts on line 5. */
export function tp(spec: string, metadata = '{name: reviews, namespace: bookinfo}'): string {
  return `${API}\nkind: TrafficPolicy\nmetadata: ${metadata}\nspec:\n${spec}`;
}

export function access(spec: string): string {
  return `${API}\nkind: AccessPolicy\nmetadata: {name: readers, namespace: bookinfo}\nspec:\n${spec}`;
}

export function mtls(spec: string): string {
  return `${API}\nkind: MTLSPolicy\nmetadata: {name: strict, namespace: bookinfo}\nspec:\n${spec}`;
}
