/**
 * Linkerd 2.20 (and edge releases from 25.12) read a Gateway API HTTPRoute's `rules[].timeouts.request`
 * (linkerd/linkerd2#14750, see src/adapters/linkerd/versions.ts). Compiled for such a version,
 * timeouts stay on their rules and no longer split routes; without --mesh-version, or for older
 * versions, the output keeps the annotation form every version reads (the golden files).
 */
import { describe, expect, it } from 'vitest';
import { readsRuleTimeouts } from '../../../src/adapters/linkerd/versions.js';
import { compileFor, findObject, objectsOf, traffic } from '../../support/kit.js';

const POLICY = traffic(`  service: reviews
  port: 9080
  rules:
    - {name: reads, matches: [{method: GET}], timeout: 2s}
    - {name: writes, matches: [{method: POST}], timeout: 10s}
    - name: rest`);

const routesFor = (meshVersion?: string) =>
  objectsOf(
    compileFor('linkerd', POLICY, { context: { options: {}, ...(meshVersion ? { meshVersion } : {}) } })
      .resources,
    'HTTPRoute',
  );

describe('Linkerd rules[].timeouts by version', () => {
  it.each([
    ['2.20', true],
    ['stable-2.20.1', true],
    ['2.21', true],
    ['edge-25.12.1', true],
    ['edge-26.8.3', true],
    ['2.19', false],
    ['2.16', false],
    ['edge-25.11.3', false],
    [undefined, false],
  ])('%s reads rules[].timeouts: %s', (version, expected) => {
    expect(readsRuleTimeouts(version)).toBe(expected);
  });

  it('2.20: one route, each rule with its own timeouts.request, no timeout annotation', () => {
    const routes = routesFor('2.20');
    expect(routes.map((r) => r.metadata.name)).toEqual(['reviews']);
    const route = routes[0]!;
    expect(route.metadata.annotations?.['timeout.linkerd.io/request']).toBeUndefined();
    expect(route.spec.rules.map((r: { timeouts?: unknown }) => r.timeouts)).toEqual([
      { request: '2s' },
      { request: '10s' },
      undefined,
    ]);
  });

  it('no version or 2.19: one route per timeout, carried by the annotation Linkerd reads there', () => {
    for (const v of [undefined, '2.19']) {
      const routes = routesFor(v);
      expect(routes.map((r) => r.metadata.name)).toEqual(['reviews-reads', 'reviews-rest', 'reviews-writes']);
      expect(
        findObject(routes, 'HTTPRoute', 'reviews-writes').metadata.annotations?.[
          'timeout.linkerd.io/request'
        ],
      ).toBe('10s');
    }
  });

  it('retries still split routes on 2.20: Linkerd reads them only from annotations', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - {name: reads, matches: [{method: GET}], timeout: 2s, retries: {attempts: 2}}
    - {name: rest, timeout: 5s}`),
      { context: { options: {}, meshVersion: '2.20' } },
    );
    const routes = objectsOf(r.resources, 'HTTPRoute');
    expect(routes.map((x) => x.metadata.name)).toEqual(['reviews-reads', 'reviews-rest']);
    const reads = findObject(routes, 'HTTPRoute', 'reviews-reads');
    expect(reads.metadata.annotations?.['retry.linkerd.io/limit']).toBe('2');
    expect(reads.metadata.annotations?.['timeout.linkerd.io/request']).toBeUndefined();
    expect(reads.spec.rules[0].timeouts).toEqual({ request: '2s' });
  });
});
