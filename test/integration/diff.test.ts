// `anymesh diff`: a unified diff of what apply would change, from a server-side dry-run against the
// live objects; exit 0 when nothing, 1 when something, 2 on error (kubectl's convention).
import { describe, expect, it } from 'vitest';
import { cli, get, policyFile, sharedClusterNamespace, trafficPolicy, vsPath } from './apply-support.js';

const NS = 'am-diff';
const { cluster, base } = sharedClusterNamespace(NS);

describe('anymesh diff', () => {
  const file = policyFile('a.yaml', trafficPolicy(NS, 'reviews'));

  it('exits 1 and shows new objects before the first apply, writing nothing', async () => {
    const r = await cli(['diff', '-f', file, ...base]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('--- live/networking.istio.io.VirtualService.am-diff.reviews');
    expect(r.out).toContain('+++ merged/networking.istio.io.VirtualService.am-diff.reviews');
    expect(r.out).toContain('+kind: VirtualService');
    expect(r.out).not.toContain('managedFields');
    expect(r.err).toContain('2 of 2 objects would change');
    expect(await get(cluster.kubeConfig, vsPath(NS, 'reviews'))).toBeUndefined();
  });

  it('exits 0 with no output once applied', async () => {
    expect((await cli(['apply', '-f', file, ...base])).code).toBe(0);
    const r = await cli(['diff', '-f', file, ...base]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain('no differences');
  });

  it('shows a changed field as a unified diff hunk, without bookkeeping metadata', async () => {
    const changed = policyFile('a.yaml', trafficPolicy(NS, 'reviews', '7s'));
    const r = await cli(['diff', '-f', changed, ...base]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(r.out).toContain('-      timeout: 3s');
    expect(r.out).toContain('+      timeout: 7s');
    expect(r.out).not.toMatch(/resourceVersion|generation|managedFields/);
    expect(r.out).not.toContain('DestinationRule');
  });

  it('with --prune, shows what apply --prune would delete', async () => {
    const other = policyFile('b.yaml', trafficPolicy(NS, 'ratings'));
    const r = await cli(['diff', '-f', other, ...base, '--prune', '-o', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as {
      objects: { action: string; kind: string; name: string }[];
      diff: string;
    };
    expect(
      json.objects
        .filter((o) => o.action === 'pruned')
        .map((o) => `${o.kind}/${o.name}`)
        .sort(),
    ).toEqual(['DestinationRule/reviews', 'VirtualService/reviews']);
    expect(json.diff).toContain('-kind: VirtualService');
  });

  it('exits 2 on an error (a namespace that does not exist)', async () => {
    const lost = policyFile('c.yaml', trafficPolicy('am-diff-missing', 'x'));
    const r = await cli(['diff', '-f', lost, ...base]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('AM5004');
  });
});
