// Every golden output of every capability column (each mesh's default column and its
// option-dependent ones, such as Istio ambient), server-side dry-run applied to the real API server:
// the CRDs' OpenAPI schemas and CEL rules run, which the conformance tier's schema checks alone miss.
// Compiled with --allow-degraded semantics, so every mesh yields output for every case.
//
// Which API server: mesh-clusters.ts (Istio's ambient output needs the experimental-channel
// HTTPRoute CRD, which the shared cluster leaves out).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { session } from '../../src/cluster/session.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';
import { testColumns } from '../support/columns.js';
import { client, dryRunAccepts } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';
import { MeshClusters } from './mesh-clusters.js';

let shared: ClusterHandle;
const clusters = new MeshClusters(() => shared);
beforeAll(() => {
  shared = attachCluster(inject('kubeconfig'));
});
afterAll(() => clusters.stop());

describe.each(testColumns().map((c) => [c.id, c] as const))(
  'server-side dry-run of %s output',
  (id, column) => {
    it('accepts every object of every example and case', async () => {
      const cluster = await clusters.for(column.adapter);
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
        const r = await dryRunAccepts(cluster, s, resources, column.adapter.id);
        objects += r.accepted;
        rejections.push(...r.rejections.map((x) => `${file}: ${x}`));
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
