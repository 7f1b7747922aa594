// `anymesh migrate plan`: every target object the plan proposes, for every target mesh and the
// hand-written native inputs, server-side dry-run applied to the real API server (the CRDs'
// schemas and CEL rules run). Nothing is written.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { importSourceFor, MESHES } from '../../src/adapters/index.js';
import { planObjects, prepare } from '../../src/cluster/plan.js';
import { session } from '../../src/cluster/session.js';
import { type LoadResult, loadDocuments, parseInputs } from '../../src/core/loader/loader.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { planMigration } from '../../src/migrate/plan.js';
import { goldenCases } from '../support/cases.js';
import { client, ensureNamespace, ensureUserServices } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';

let cluster: ClusterHandle;
beforeAll(() => {
  cluster = attachCluster(inject('kubeconfig'));
});

/** The hand-written native inputs, and what the first mesh's adapter makes of every golden case. */
function inputs(): { from: string; name: string; load: () => LoadResult }[] {
  const first = MESHES[0]!;
  const fixtures = [
    [first.id, 'test/fixtures/import/istio-bookinfo.yaml'],
    [first.id, 'test/fixtures/import/istio-security.yaml'],
    ['smi', 'test/fixtures/import/smi-bookstore.yaml'],
    // Each importer's fixtures (ids spelled as the registry has them, like smi).
    ['consul', 'test/import/fixtures/consul/routing.yaml'],
    ['consul', 'test/import/fixtures/consul/security.yaml'],
    ['appmesh', 'test/import/fixtures/appmesh/shop.yaml'],
    ['appmesh', 'test/import/fixtures/appmesh/protocols.yaml'],
    ['linkerd', 'test/import/fixtures/linkerd/routing.yaml'],
    ['linkerd', 'test/import/fixtures/linkerd/security.yaml'],
  ].map(([from, file]) => ({ from: from!, name: file!, load: () => loadDocuments([file!]) }));
  const native = goldenCases().flatMap(({ file }) => {
    const r = compileFiles([file], first);
    const text = renderYaml(r.resources);
    return r.ok
      ? [{ from: first.id, name: `${file} as ${first.id}`, load: () => parseInputs([{ name: file, text }]) }]
      : [];
  });
  return [...fixtures, ...native];
}

describe.each(MESHES.map((m) => [m.id, m] as const))(
  'migrate plan -> %s, server-side dry-run',
  (_, target) => {
    it('accepts every target object of every plan', async () => {
      const s = session(client(cluster.kubeConfig), 'default');
      const rejections: string[] = [];
      let objects = 0;
      for (const { from, name: file, load } of inputs()) {
        const source = importSourceFor(from)!;
        const plan = planMigration(load(), { source, target });
        for (const ns of new Set(
          plan.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n),
        ))
          await ensureNamespace(cluster.kubeConfig, ns);
        // Objects holding only a mesh's keys on the user's Service need that Service, as on a cluster.
        await ensureUserServices(cluster, plan.objects);
        const prepared = await prepare(s, plan.objects, { mesh: target.id });
        const planned = await planObjects(s, prepared.targets, {
          force: false,
          serverDryRun: true,
          concurrency: 8,
        });
        objects += planned.planned.length;
        for (const d of [...prepared.diagnostics, ...planned.diagnostics])
          rejections.push(`${file}: ${d.code} ${d.message}`);
      }
      expect(rejections, rejections.join('\n')).toEqual([]);
      // Every target takes something from these inputs (the policies it refuses are listed in the plan).
      expect(objects).toBeGreaterThan(0);
      expect(s.client.stats.writes).toBe(0);
    });
  },
);
