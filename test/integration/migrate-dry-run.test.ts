// `anymesh migrate plan`: every target object the plan proposes, for every target mesh and the
// hand-written native inputs, server-side dry-run applied to the real API server (the CRDs'
// schemas and CEL rules run). Nothing is written.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importSourceFor, MESHES } from '../../src/adapters/index.js';
import { session } from '../../src/cluster/session.js';
import { type LoadResult, loadDocuments, parseInputs } from '../../src/core/loader/loader.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { planMigration } from '../../src/migrate/plan.js';
import { goldenCases } from '../support/cases.js';
import { client, dryRunAccepts } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';
import { MeshClusters } from './mesh-clusters.js';

let shared: ClusterHandle;
// Istio's ambient target needs the experimental-channel HTTPRoute CRD (mesh-clusters.ts).
const clusters = new MeshClusters(() => shared);
beforeAll(() => {
  shared = attachCluster(inject('kubeconfig'));
});
afterAll(() => clusters.stop());

/** The hand-written native inputs, and what the first mesh's adapter makes of every golden case. */
function inputs(): { from: string; name: string; load: () => LoadResult }[] {
  const first = MESHES[0]!;
  const fixtures = [
    [first.id, 'test/fixtures/import/istio-bookinfo.yaml'],
    [first.id, 'test/fixtures/import/istio-security.yaml'],
    [first.id, 'test/fixtures/import/istio-gateway-api.yaml'],
    ['smi', 'test/fixtures/import/smi-bookstore.yaml'],
    // Each importer's fixtures (ids spelled as the registry has them, like smi).
    ['consul', 'test/import/fixtures/consul/routing.yaml'],
    ['consul', 'test/import/fixtures/consul/security.yaml'],
    ['appmesh', 'test/import/fixtures/appmesh/shop.yaml'],
    ['appmesh', 'test/import/fixtures/appmesh/protocols.yaml'],
    ['linkerd', 'test/import/fixtures/linkerd/routing.yaml'],
    ['linkerd', 'test/import/fixtures/linkerd/security.yaml'],
  ].map(([from, file]) => ({ from: from!, name: file!, load: () => loadDocuments([file!]) }));
  // The first mesh's output for each of its columns (Istio: sidecar and ambient).
  const native = goldenCases().flatMap(({ file }) =>
    (first.columns ?? [{ id: first.id, options: {} }]).flatMap(({ id, options }) => {
      const r = compileFiles([file], first, { context: { options } });
      const text = renderYaml(r.resources);
      return r.ok && r.resources.length
        ? [{ from: first.id, name: `${file} as ${id}`, load: () => parseInputs([{ name: file, text }]) }]
        : [];
    }),
  );
  return [...fixtures, ...native];
}

// Every column of every mesh as the target (Istio: sidecar and ambient).
const targets = MESHES.flatMap((m) =>
  (m.columns ?? [{ id: m.id, options: {} }]).map((c) => [c.id, m, c.options] as const),
);

describe.each(targets)('migrate plan -> %s, server-side dry-run', (_, target, options) => {
  it('accepts every target object of every plan', async () => {
    const cluster = await clusters.for(target);
    const s = session(client(cluster.kubeConfig), 'default');
    const rejections: string[] = [];
    let objects = 0;
    for (const { from, name: file, load } of inputs()) {
      const source = importSourceFor(from)!;
      const plan = planMigration(load(), { source, target, context: { options } });
      const r = await dryRunAccepts(cluster, s, plan.objects, target.id);
      objects += r.accepted;
      rejections.push(...r.rejections.map((x) => `${file}: ${x}`));
    }
    expect(rejections, rejections.join('\n')).toEqual([]);
    // Every target takes something from these inputs (the policies it refuses are listed in the plan).
    expect(objects).toBeGreaterThan(0);
    expect(s.client.stats.writes).toBe(0);
  }, 300_000); // a mesh's own cluster starts inside its first test
});
