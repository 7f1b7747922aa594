/** Durations: parsing, formatting, and the round trip between them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  durationMs,
  formatDuration,
  formatSeconds,
  MAX_DURATION_MS,
  parseDuration,
} from '../../../src/core/model/duration.js';
import { DURATION_PATTERN } from '../../../src/core/model/schema.js';

const pattern = new RegExp(DURATION_PATTERN);

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['3s', 3000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h1m1s1ms', 3_661_001],
    ['1.5s', 1500],
    ['0.25s', 250],
    ['0.001s', 1],
    ['0s', 0],
    ['0ms', 0],
    ['2562047h', 2_562_047 * 3_600_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
    expect(pattern.test(text)).toBe(true);
  });

  it.each([
    '',
    '3',
    '1d',
    '-1s',
    '1S',
    ' 1s',
    '1s ',
    '1e3s',
    '.5s',
    '1.s',
    '1.0005s',
    '0.5ms',
    's',
    '1 s',
    '99999999999999999999h',
  ])('%j is refused with a reason', (text) => {
    const r = parseDuration(text);
    expect(r).toHaveProperty('error');
    expect((r as { error: string }).error.length).toBeGreaterThan(5);
  });

  it('the maximum is accepted, one millisecond more is not', () => {
    expect(parseDuration(formatDuration(MAX_DURATION_MS))).toEqual({ ms: MAX_DURATION_MS });
    expect(parseDuration(`${MAX_DURATION_MS + 1}ms`)).toHaveProperty('error');
  });

  it('durationMs throws on what was never validated (an internal error, not a user one)', () => {
    expect(durationMs('2s')).toBe(2000);
    expect(() => durationMs('2d')).toThrow(/internal/);
  });
});

describe('formatDuration and formatSeconds', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1500, '1s500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_661_001, '1h1m1s1ms'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [1, '0.001s'],
    [10, '0.01s'],
    [250, '0.25s'],
    [1500, '1.5s'],
    [3000, '3s'],
  ])('%i ms is %s in protobuf seconds', (ms, text) => {
    expect(formatSeconds(ms)).toBe(text);
  });

  it('round trip: parse(formatDuration(ms)) === ms, and the text satisfies the schema pattern', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        const text = formatDuration(ms);
        expect(pattern.test(text)).toBe(true);
        expect(parseDuration(text)).toEqual({ ms });
      }),
      { numRuns: 500 },
    );
  });

  it('round trip through protobuf seconds: parse(formatSeconds(ms)) === ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 24 * 3_600_000 }), (ms) => {
        const text = formatSeconds(ms);
        expect(text).toMatch(/^\d+(\.\d{1,3})?s$/);
        expect(parseDuration(text)).toEqual({ ms });
      }),
      { numRuns: 500 },
    );
  });

  it('round trip the other way: a valid duration text formats to an equal duration', () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('ms', 's', 'm', 'h'));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        const parsed = parseDuration(text);
        expect(parsed).toHaveProperty('ms');
        const ms = (parsed as { ms: number }).ms;
        expect(parseDuration(formatDuration(ms))).toEqual({ ms });
      }),
      { numRuns: 300 },
    );
  });
});
