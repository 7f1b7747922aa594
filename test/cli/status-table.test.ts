// `status` prints one line per mesh and per namespace by default, whatever the object count; every
// object with -o wide.
import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/commands/status.js';
import type { AppliedPolicy, MeshStatus } from '../../src/cluster/discovery.js';

function status(policies: AppliedPolicy[]): MeshStatus {
  return {
    mesh: 'istio',
    displayName: 'Istio',
    installed: true,
    installedBy: 'anymesh',
    namespace: 'istio-system',
    version: '1.30.3',
    healthy: true,
    components: [],
    crds: { present: 14, expected: 14 },
    releases: [],
    namespaces: ['shop', 'team-a'],
    policies,
    notes: [],
  };
}

const objects = (ns: string, n: number): AppliedPolicy[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: i % 2 ? 'VirtualService' : 'DestinationRule',
    namespace: ns,
    name: `p-${i >> 1}`,
    sources: [`TrafficPolicy/${ns}/p-${i >> 1}`],
  }));

describe('status table', () => {
  const s = status([...objects('shop', 1000), ...objects('team-a', 2)]);

  it('by default: the mesh row, then one line per namespace with counts by kind', () => {
    const lines = table([s]).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^istio\s+yes\s+anymesh\s+istio-system\s+1\.30\.3\s+yes\s+shop,team-a\s+1002$/);
    expect(lines[2]).toBe(
      'istio: 1000 objects in shop from 500 policies (DestinationRule 500, VirtualService 500)',
    );
    expect(lines[3]).toBe('istio: 2 objects in team-a from 1 policy (DestinationRule 1, VirtualService 1)');
  });

  it('-o wide: every object', () => {
    const lines = table([s], true).trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 1002);
    expect(lines).toContain('istio: policy VirtualService shop/p-0 <- TrafficPolicy/shop/p-0');
  });
});
