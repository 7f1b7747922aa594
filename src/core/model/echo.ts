/**
 * Echoing a user's own values back in messages: shortened, so a 20 MB string never becomes a 20 MB
 * line, and matched against what is allowed, for "did you mean" hints.
 */
import type { DiagnosticParams } from '../diagnostics.js';

/** Longest parameter echoed into a message: a 20 MB service name must not become a 20 MB line. */
const MAX_ECHO = 120;

/** A user's value shortened to MAX_ECHO characters for echoing in a message. */
export function clip(text: string): string {
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
}

/** Shortens long parameters (the user's own values, echoed back) to MAX_ECHO characters. */
export function clipParams<P extends DiagnosticParams>(params: P): P {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' ? clip(v) : v;
  // Same keys, shorter values: still the parameters of the same template.
  return out as P;
}

/** The closest allowed name, for "did you mean" hints on misspelled fields. */
export function closest(word: string, options: readonly string[]): string | undefined {
  if (word.length > 64) return undefined; // no field or value of the model is that long
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    // The distance is at least the difference in length: skip hopeless options cheaply, so a
    // 5 MB misspelt key costs nothing (it took seconds of edit-distance work before).
    if (Math.abs(word.length - o.length) >= bestDistance) continue;
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
