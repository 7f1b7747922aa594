import { describe, expect, it } from 'vitest';
import type { RouteMatchT } from '../../../src/core/model/schema.js';
import { catches, describeMatch, matchesAll, overlap } from '../../../src/core/overlap/index.js';

const m = (x: RouteMatchT) => x;

describe('catches (earlier always catches later)', () => {
  it.each([
    ['an entry without conditions catches everything', {}, { path: { exact: '/a' }, method: 'GET' }],
    ['prefix /api catches prefix /api/v1', { path: { prefix: '/api' } }, { path: { prefix: '/api/v1' } }],
    ['prefix /api catches exact /api/cart', { path: { prefix: '/api' } }, { path: { exact: '/api/cart' } }],
    ['the same exact path', { path: { exact: '/a' } }, { path: { exact: '/a' } }],
    [
      'method-less catches method-specific',
      { path: { prefix: '/a' } },
      { path: { prefix: '/a' }, method: 'POST' },
    ],
    ['the same regex', { path: { regex: '/u/[0-9]+' } }, { path: { regex: '/u/[0-9]+' } }],
    [
      'a regex catches an exact path it matches',
      { path: { regex: '/u/[0-9]+' } },
      { path: { exact: '/u/42' } },
    ],
    [
      'header present catches any condition on that header (names case-insensitive)',
      { headers: [{ name: 'X-User', present: true }] },
      { headers: [{ name: 'x-user', exact: 'jason' }] },
    ],
    [
      'header prefix catches a longer header prefix',
      { headers: [{ name: 'ua', prefix: 'Mozilla' }] },
      { headers: [{ name: 'ua', prefix: 'Mozilla/5' }], method: 'GET' },
    ],
    [
      'fewer conditions catch more conditions',
      { queryParams: [{ name: 'v', exact: '2' }] },
      {
        queryParams: [
          { name: 'v', exact: '2' },
          { name: 'debug', present: true },
        ],
        path: { exact: '/x' },
      },
    ],
  ] as [string, RouteMatchT, RouteMatchT][])('%s', (_name, earlier, later) => {
    expect(catches(m(earlier), m(later))).toBe(true);
  });

  it.each([
    [
      'prefix /api/v1 does not catch prefix /api',
      { path: { prefix: '/api/v1' } },
      { path: { prefix: '/api' } },
    ],
    ['method-specific does not catch method-less', { method: 'GET' }, {}],
    ['a path condition does not catch an entry without a path', { path: { prefix: '/' } }, { method: 'GET' }],
    ['different exact paths', { path: { exact: '/a' } }, { path: { exact: '/b' } }],
    [
      'a regex is not compared with a prefix (undecided: no)',
      { path: { regex: '/api.*' } },
      { path: { prefix: '/api' } },
    ],
    [
      'a regex that does not match the exact path',
      { path: { regex: '/u/[0-9]+' } },
      { path: { exact: '/u/x' } },
    ],
    [
      'query names are case-sensitive',
      { queryParams: [{ name: 'V', present: true }] },
      { queryParams: [{ name: 'v', exact: '1' }] },
    ],
    [
      'an extra header condition on the earlier entry',
      { path: { prefix: '/a' }, headers: [{ name: 'x', exact: '1' }] },
      { path: { prefix: '/a' } },
    ],
  ] as [string, RouteMatchT, RouteMatchT][])('not: %s', (_name, earlier, later) => {
    expect(catches(m(earlier), m(later))).toBe(false);
  });
});

describe('overlap', () => {
  it.each([
    [{}, { path: { exact: '/a' } }, 'yes'],
    [{ path: { prefix: '/api' } }, { path: { prefix: '/api/v1' } }, 'yes'],
    [{ path: { prefix: '/api' } }, { path: { prefix: '/web' } }, 'no'],
    [{ path: { exact: '/a' } }, { path: { exact: '/b' } }, 'no'],
    [{ path: { exact: '/api/x' } }, { path: { prefix: '/api' } }, 'yes'],
    [{ path: { exact: '/u/1' } }, { path: { regex: '/u/[0-9]' } }, 'yes'],
    [{ path: { exact: '/u/x' } }, { path: { regex: '/u/[0-9]' } }, 'no'],
    [{ path: { prefix: '/u' } }, { path: { regex: '/u/[0-9]' } }, 'maybe'],
    [{ method: 'GET' }, { method: 'POST' }, 'no'],
    [{ method: 'GET' }, { path: { prefix: '/' } }, 'yes'],
    [{ headers: [{ name: 'X', exact: '1' }] }, { headers: [{ name: 'x', exact: '2' }] }, 'no'],
    [{ headers: [{ name: 'X', exact: '1' }] }, { headers: [{ name: 'y', exact: '2' }] }, 'yes'],
    [{ queryParams: [{ name: 'q', exact: 'a' }] }, { queryParams: [{ name: 'q', present: true }] }, 'yes'],
  ] as [RouteMatchT, RouteMatchT, string][])('%j and %j: %s', (a, b, expected) => {
    expect(overlap(a, b)).toBe(expected);
    expect(overlap(b, a)).toBe(expected);
  });
});

describe('describeMatch', () => {
  it('describes entries for messages', () => {
    expect(matchesAll({})).toBe(true);
    expect(describeMatch({})).toBe('every request');
    expect(
      describeMatch({ method: 'GET', path: { prefix: '/api' }, headers: [{ name: 'x', present: true }] }),
    ).toBe('GET, path prefix "/api", header x present');
  });
});
