/**
 * sortResources ranks apiVersion, kind and namespace once instead of comparing them with
 * localeCompare in every comparison: the order must be exactly the one localeCompare gives.
 */
import { describe, expect, it } from 'vitest';
import { type KubeObject, sortResources } from '../../../src/core/adapter.js';

const byLocaleCompare = (rs: readonly KubeObject[]) =>
  [...rs].sort(
    (a, b) =>
      a.apiVersion.localeCompare(b.apiVersion) ||
      a.kind.localeCompare(b.kind) ||
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      a.metadata.name.localeCompare(b.metadata.name),
  );

describe('sortResources', () => {
  it('orders as localeCompare on every key does, case, punctuation and missing namespaces included', () => {
    let s = 7;
    const pick = <T>(xs: readonly T[]): T => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return xs[s % xs.length]!;
    };
    const versions = [
      'v1',
      'apps/v1',
      'Apps/v1',
      'networking.istio.io/v1',
      'networking-istio.io/v1',
      'a_b/v1',
    ];
    const kinds = ['Service', 'service', 'VirtualService', 'Virtual-Service', 'Route', 'route_'];
    const namespaces = [undefined, '', 'team-1', 'Team-1', 'team.1', 'team1', 'é'];
    const names = ['a', 'A', 'a-b', 'ab', 'a.b', 'b', 'B-1', 'b1', 'x_y', 'ä'];
    const rs = Array.from({ length: 2000 }, (_, i) => {
      const namespace = pick(namespaces);
      return {
        apiVersion: pick(versions),
        kind: pick(kinds),
        metadata: {
          name: `${pick(names)}${i % 3 ? '' : pick(names)}`,
          ...(namespace === undefined ? {} : { namespace }),
        },
        i,
      } as unknown as KubeObject;
    });
    expect(sortResources(rs)).toEqual(byLocaleCompare(rs));
    expect(sortResources(rs).map((r) => (r as unknown as { i: number }).i)).toEqual(
      byLocaleCompare(rs).map((r) => (r as unknown as { i: number }).i),
    );
  });
});
