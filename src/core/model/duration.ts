/**
 * Durations as users write them (`250ms`, `3s`, `1m30s`) and as meshes want them. Kept in
 * milliseconds internally; sub-millisecond precision is refused since no mesh honours it.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/y;

/** The longest duration accepted: Go's time.Duration maximum (2^63-1 ns), in whole milliseconds. */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Parses a duration; returns an error string when it is not one. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  if (text.length === 0) return { error: 'empty; write a number and a unit, e.g. 250ms, 3s, 1m' };
  // Exact integer arithmetic (BigInt, in units of 1/10^digits ms): floating point used to turn
  // "67247273.186s" into 67247273186.00001 ms and refuse it as sub-millisecond.
  let total = 0n;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const found = PART.exec(text);
    if (!found)
      return {
        error: `unexpected "${text.slice(pos)}"; write a number and a unit (ms, s, m, h), e.g. 250ms, 3s, 1m`,
      };
    const [whole = '0', fraction = ''] = found[1]!.split('.');
    const size = BigInt(UNIT_MS[found[2] as keyof typeof UNIT_MS]);
    const scale = 10n ** BigInt(fraction.length);
    const scaled = BigInt(fraction || '0') * size;
    if (scaled % scale !== 0n) {
      return { error: 'sub-millisecond precision is not supported; round to whole milliseconds' };
    }
    total += BigInt(whole) * size + scaled / scale;
    pos = PART.lastIndex;
  }
  // Without a ceiling `99999999999999999999h` was accepted and rendered as `3.6e+23s`, which no
  // mesh parses. Go's time.Duration (Linkerd, Consul) is the narrowest target: at most ~2562047h.
  if (total > BigInt(MAX_DURATION_MS)) {
    return { error: `longer than the maximum of ${formatDuration(MAX_DURATION_MS)}` };
  }
  return { ms: Number(total) };
}

/** The shortest Go-style form: 250ms, 3s, 1m30s, 1h, 1.5s is written 1s500ms. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** Seconds with up to three decimals and an `s`, the protobuf Duration JSON form (`0.250s`). */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
}

/** Milliseconds of a duration already validated; throws on bad input (a bug, not user error). */
export function durationMs(text: string): number {
  const r = parseDuration(text);
  if ('error' in r) throw new Error(`internal: unvalidated duration ${text}`);
  return r.ms;
}
