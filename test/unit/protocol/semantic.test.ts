// Issue 16's semantic checks: what each protocol's rules may hold, and Gateway API's rules for
// redirects and rewrites, each with its code, field path and position.
import { describe, expect, it } from 'vitest';
import { expectedRows, load, rows, traffic, type Where } from '../../support/kit.js';

const spec = (protocol: string | undefined, rules: string) =>
  traffic(
    `  service: cart\n  port: 8080\n${protocol ? `  protocol: ${protocol}\n` : ''}  versions: {v1: {version: v1}}\n  rules:\n${rules}`,
  );

function errors(text: string) {
  return load(text, { overlaps: false }).diagnostics.filter((d) => d.level === 'error');
}

const CASES: [string, string, [string, string, Where][]][] = [
  [
    'a gRPC match on an http policy',
    spec(undefined, '    - matches: [{grpc: {service: shop.Cart}}]\n'),
    [['AM2040', 'spec.rules[0].matches[0].grpc', 'grpc']],
  ],
  [
    'HTTP path, method and query matches on a grpc policy',
    spec('grpc', '    - matches: [{path: {prefix: /x}, method: GET, queryParams: [{name: a, exact: b}]}]\n'),
    [
      ['AM2040', 'spec.rules[0].matches[0].path', 'path'],
      ['AM2040', 'spec.rules[0].matches[0].method', 'method'],
      ['AM2040', 'spec.rules[0].matches[0].queryParams', 'queryParams'],
    ],
  ],
  [
    // Before, a gRPC redirect compiled (Istio redirect, Linkerd and ambient RequestRedirect): every
    // call it caught failed, since gRPC clients do not follow redirects.
    'a redirect on a grpc policy',
    spec('grpc', '    - matches: [{grpc: {service: shop.Cart}}]\n      redirect: {host: a.example.com}\n'),
    [['AM2040', 'spec.rules[0].redirect', 'redirect']],
  ],
  [
    'matches, header changes and retries on a tcp policy',
    spec(
      'tcp',
      '    - matches: [{path: {prefix: /x}}]\n      requestHeaders: {set: {a: b}}\n      retries: {attempts: 2}\n      backends: [{version: v1}]\n',
    ),
    [
      ['AM2040', 'spec.rules[0].matches', 'matches'],
      ['AM2040', 'spec.rules[0].requestHeaders', 'requestHeaders'],
      ['AM2040', 'spec.rules[0].retries', 'retries'],
    ],
  ],
  [
    'a redirect with backends, a rewrite and a timeout',
    spec(
      undefined,
      '    - redirect: {scheme: https}\n      backends: [{version: v1}]\n      rewrite: {host: a.example.com}\n      timeout: 1s\n',
    ),
    [
      ['AM2041', 'spec.rules[0].backends', 'backends'],
      ['AM2041', 'spec.rules[0].rewrite', 'rewrite'],
      ['AM2041', 'spec.rules[0].timeout', 'timeout'],
    ],
  ],
  [
    'replacePrefixMatch without a path prefix match (Gateway API requires exactly one)',
    spec(
      undefined,
      '    - matches: [{path: {exact: /v1}}]\n      rewrite: {path: {replacePrefixMatch: /v2}}\n    - rewrite: {path: {replacePrefixMatch: /v2}}\n',
    ),
    [
      ['AM2042', 'spec.rules[0].rewrite.path.replacePrefixMatch', ['/v2', 1]],
      ['AM2042', 'spec.rules[1].rewrite.path.replacePrefixMatch', ['/v2', 2]],
    ],
  ],
  [
    'a status code Gateway API does not allow for redirects',
    spec(undefined, '    - redirect: {host: a.example.com, statusCode: 200}\n'),
    [['AM2043', 'spec.rules[0].redirect.statusCode', '200']],
  ],
  [
    'both path modifiers, and a path without /',
    spec(
      undefined,
      '    - matches: [{path: {prefix: /a}}]\n      redirect: {path: {replaceFullPath: /b, replacePrefixMatch: /c}}\n    - redirect: {path: {replaceFullPath: b}}\n',
    ),
    [
      ['AM2044', 'spec.rules[0].redirect.path', '{replaceFullPath: /b'],
      ['AM2023', 'spec.rules[1].redirect.path.replaceFullPath', 'b}}'],
    ],
  ],
  [
    'a redirect that changes nothing loops',
    spec(undefined, '    - redirect: {statusCode: 301}\n'),
    [['AM2045', 'spec.rules[0].redirect', '{statusCode']],
  ],
  [
    'an empty gRPC match, and names gRPC does not allow',
    spec('grpc', '    - matches: [{grpc: {}}, {grpc: {service: "shop/Cart", method: "Add-Item"}}]\n'),
    [
      ['AM2046', 'spec.rules[0].matches[0].grpc', '{}'],
      ['AM2016', 'spec.rules[0].matches[1].grpc.service', '"shop/Cart"'],
      ['AM2016', 'spec.rules[0].matches[1].grpc.method', '"Add-Item"'],
    ],
  ],
];

describe('protocol, redirect and rewrite checks', () => {
  it.each(CASES)('%s', (_what, text, expected) => {
    expect(rows(errors(text))).toEqual(expectedRows(text, expected));
  });

  it.each([
    [
      'grpc',
      '    - matches: [{grpc: {service: shop.Cart, method: AddItem}, headers: [{name: x-a, exact: b}]}]\n      timeout: 2s\n',
    ],
    ['tcp', '    - backends: [{version: v1}]\n      timeout: 1h\n'],
    [
      'http',
      '    - matches: [{path: {prefix: /old}}]\n      redirect: {path: {replacePrefixMatch: /new}, statusCode: 308}\n    - matches: [{path: {prefix: /api}}]\n      rewrite: {host: api.internal, path: {replacePrefixMatch: /}}\n',
    ],
  ])('a valid %s policy passes', (protocol, rules) => {
    expect(errors(spec(protocol === 'http' ? undefined : protocol, rules))).toEqual([]);
  });
});
