/**
 * Linkerd versions as users name them (src/adapters/linkerd/versions.ts): stable names, and edge
 * releases read as the stable version they belong to by Linkerd's own table
 * (linkerd.io/data/versions.yaml), so version-gated cells and output work with edge versions and
 * a name that is no version is an error, never a version that compares as 0.
 */
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../src/adapters/index.js';
import { EDGE_OF_STABLE, parseLinkerdVersion } from '../../../src/adapters/linkerd/versions.js';
import { comparableVersion } from '../../../src/core/capabilities.js';
import { compileFor, objectsOf, traffic } from '../../support/kit.js';

describe('parseLinkerdVersion', () => {
  it.each([
    ['2.20', '2.20'],
    ['2.14.10', '2.14.10'],
    ['stable-2.14.10', '2.14.10'],
    ['version-2.19', '2.19'],
    ['enterprise-2.20.1', '2.20.1'],
    ['edge-24.2.4', '2.15'],
    ['edge-24.8.1', '2.15'],
    ['edge-24.11.8', '2.17'],
    ['edge-25.10.6', '2.18'],
    ['edge-25.10.7', '2.19'],
    ['edge-25.12.1', '2.19'],
    ['edge-26.6.2', '2.19'],
    ['edge-26.6.3', '2.20'],
    ['edge-26.8.3', '2.20'],
    // Later than the table knows: at least the newest version it names.
    ['edge-27.1.1', '2.20'],
  ])('%s is read as %s', (text, version) => {
    const r = parseLinkerdVersion(text);
    expect('version' in r && r.version).toBe(version);
  });

  it.each([
    ['garbage', /not a version; use a stable version .* or an edge release/],
    ['edge-26.13.1', /names a month in M: 13 is not one/],
    ['edge-26.0.1', /names a month in M: 0 is not one/],
    ['edge-26.8', /not a version/],
    ['edge-23.11.4', /older than edge-24\.2\.4 \(Linkerd 2\.15\)/],
    ['3.0', /not a version/],
    ['', /not a version/],
  ])('%s is refused: %s', (text, why) => {
    const r = parseLinkerdVersion(text);
    expect('error' in r && r.error).toMatch(why);
  });

  it('the table is ordered, one edge per stable version, as the upstream file lists them', () => {
    const stables = EDGE_OF_STABLE.map(([s]) => Number(s.split('.')[1]));
    expect(stables).toEqual([15, 16, 17, 18, 19, 20]);
    const edges = EDGE_OF_STABLE.map(([, e]) => e.split('.').map(Number));
    for (let i = 1; i < edges.length; i++)
      expect(edges[i]![0]! * 100 + edges[i]![1]!).toBeGreaterThan(
        edges[i - 1]![0]! * 100 + edges[i - 1]![1]!,
      );
  });

  it('is the descriptor’s parseVersion, and what version-gated cells compare with', () => {
    const linkerd = adapterFor('linkerd')!;
    expect(comparableVersion(linkerd, 'edge-26.8.3')).toBe('2.20');
    // A plain dotted version of a mesh without its own parser stays as it is.
    expect(comparableVersion(adapterFor('istio')!, 'v1.24.2')).toBe('1.24.2');
  });
});

describe('version-gated output with edge versions', () => {
  const POLICY = traffic(`  service: reviews
  port: 9080
  rules:
    - {name: reads, matches: [{method: GET}], timeout: 2s}
    - name: rest`);
  const routes = (meshVersion: string) =>
    objectsOf(
      compileFor('linkerd', POLICY, { context: { options: {}, meshVersion } }).resources,
      'HTTPRoute',
    );

  it('edge-26.8.3: rules[].timeouts on one route (linkerd/linkerd2#14750), as 2.20', () => {
    for (const v of ['edge-26.8.3', '2.20']) {
      const r = routes(v);
      expect(r.map((x) => x.metadata.name)).toEqual(['reviews']);
      expect(r[0]!.spec.rules[0].timeouts).toEqual({ request: '2s' });
    }
  });

  it('edge-25.10.7 (2.19): the annotation form, one route per timeout', () => {
    expect(routes('edge-25.10.7').map((x) => x.metadata.name)).toEqual(['reviews-reads', 'reviews-rest']);
  });

  it('an edge release is not refused features its stable line has (it used to compare as 0)', () => {
    const r = compileFor('linkerd', POLICY, { context: { options: {}, meshVersion: 'edge-24.11.8' } });
    expect(r.diagnostics.filter((d) => d.code === 'AM3001')).toEqual([]);
  });
});
