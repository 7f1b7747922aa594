// Every golden output of every capability column (each mesh's default column and its
// option-dependent ones, such as Istio ambient), server-side dry-run applied to the real API server:
// the CRDs' OpenAPI schemas and CEL rules run, which the conformance tier's schema checks alone miss.
// Compiled with --allow-degraded semantics, so every mesh yields output for every case.
//
// Which API server: the shared one (the official CRDs, Gateway API standard channel) for a mesh whose
// `crdFolders` it serves; a cluster of its own, with exactly the mesh's `crdFolders`, for a mesh that
// names a folder the shared one leaves out (Istio: gateway-api/experimental, since the ambient
// HTTPRoutes carry `rules[].retry`, which the standard-channel schema has no field for: measured on
// the v1.6.1 standard HTTPRoute CRD, server-side apply answers 500 "failed to create typed patch
// object ...: .spec.rules[0].retry: field not declared in schema", so this test fails there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planObjects, prepare } from '../../src/cluster/plan.js';
import { session } from '../../src/cluster/session.js';
import type { KubeObject, MeshAdapter } from '../../src/core/adapter.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';
import { testColumns } from '../support/columns.js';
import { client, ensureNamespace, ensureUserServices } from './apply-support.js';
import {
  attachCluster,
  type Cluster,
  type ClusterHandle,
  EXCLUDED_CRD_DIRS,
  startCluster,
} from './harness.js';

/** Whether the shared cluster lacks CRD folders this mesh's output is checked against. */
const needsOwnCluster = (adapter: MeshAdapter) =>
  adapter.crdFolders.some((f) => EXCLUDED_CRD_DIRS.some((d) => `${f.replace(/\/$/, '')}/` === d));

let shared: ClusterHandle;
const own = new Map<string, Promise<Cluster>>();
beforeAll(() => {
  shared = attachCluster(inject('kubeconfig'));
});
afterAll(async () => {
  for (const c of own.values()) await (await c).stop();
});

/** The cluster a column's output goes to (a mesh's own one is started once, for all its columns). */
function clusterFor(adapter: MeshAdapter): Promise<ClusterHandle> {
  if (!needsOwnCluster(adapter)) return Promise.resolve(shared);
  let c = own.get(adapter.id);
  if (!c) {
    c = startCluster({ crdFolders: adapter.crdFolders });
    own.set(adapter.id, c);
  }
  return c;
}

describe.each(testColumns().map((c) => [c.id, c] as const))(
  'server-side dry-run of %s output',
  (id, column) => {
    it('accepts every object of every example and case', async () => {
      const cluster = await clusterFor(column.adapter);
      const s = session(client(cluster.kubeConfig), 'default');
      const rejections: string[] = [];
      let objects = 0;
      const refused: string[] = [];
      const batches: { from: string; resources: KubeObject[] }[] = [];
      const options = Object.keys(column.options).length ? { context: { options: column.options } } : {};
      for (const { file } of goldenCases()) {
        const r = compileFiles([file], column.adapter, { allowDegraded: true, ...options });
        // Some cases are refused even with --allow-degraded (input the mesh cannot take at all, e.g.
        // a missing port, overlapping policies): they have no output to send. The golden tier checks
        // those diagnostics; here every object that any case does produce goes to the server.
        if (!r.ok) {
          refused.push(file);
          continue;
        }
        batches.push({ from: `${file} (--allow-degraded)`, resources: r.resources });
      }
      // And the reviewed golden files themselves, exactly as checked in.
      for (const { name } of goldenCases()) {
        const path = join(ROOT, 'test', 'golden', id, `${name}.yaml`);
        const docs = parseAllDocuments(readFileSync(path, 'utf8'))
          .map((d) => d.toJS() as KubeObject | null)
          .filter((d): d is KubeObject => d !== null);
        batches.push({ from: `test/golden/${id}/${name}.yaml`, resources: docs });
      }
      for (const { from: file, resources } of batches) {
        for (const ns of new Set(
          resources.map((o) => o.metadata.namespace).filter((n): n is string => !!n),
        )) {
          await ensureNamespace(cluster.kubeConfig, ns);
        }
        await ensureUserServices(cluster, resources);
        const prepared = await prepare(s, resources, { mesh: column.adapter.id });
        const plan = await planObjects(s, prepared.targets, {
          force: false,
          serverDryRun: true,
          concurrency: 8,
        });
        objects += plan.planned.length;
        for (const d of [...prepared.diagnostics, ...plan.diagnostics])
          rejections.push(`${file}: ${d.code} ${d.message}`);
      }
      expect(rejections, rejections.join('\n')).toEqual([]);
      expect(objects).toBeGreaterThan(10);
      process.stderr.write(
        `[dry-run-golden] ${id}: ${objects} objects accepted from ${batches.length} batches; refused at compile: ${refused.join(', ') || 'none'}\n`,
      );
      // Nothing was written by the session: every request that could write was a dry run.
      expect(s.client.stats.writes).toBe(0);
    }, 300_000); // a mesh's own cluster starts inside its first column's test
  },
);
