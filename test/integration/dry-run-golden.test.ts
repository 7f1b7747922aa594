// Every golden output of every adapter, server-side dry-run applied to the real API server: the
// CRDs' OpenAPI schemas and CEL rules run, which the conformance tier's schema checks alone miss.
// Compiled with --allow-degraded semantics, so every mesh yields output for every case.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ADAPTERS } from '../../src/adapters/index.js';
import { planObjects, prepare } from '../../src/cluster/plan.js';
import { session } from '../../src/cluster/session.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { compileFiles } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';
import { client, ensureNamespace } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';

let cluster: ClusterHandle;
beforeAll(() => {
  cluster = attachCluster(inject('kubeconfig'));
});

describe.each(Object.keys(ADAPTERS) as (keyof typeof ADAPTERS)[])(
  'server-side dry-run of %s output',
  (mesh) => {
    it('accepts every object of every example and case', async () => {
      const s = session(client(cluster.kubeConfig), 'default');
      const rejections: string[] = [];
      let objects = 0;
      const refused: string[] = [];
      const batches: { from: string; resources: KubeObject[] }[] = [];
      for (const { file } of goldenCases()) {
        const r = compileFiles([file], ADAPTERS[mesh]!, { allowDegraded: true });
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
        const path = join(ROOT, 'test', 'golden', mesh, `${name}.yaml`);
        const docs = parseAllDocuments(readFileSync(path, 'utf8'))
          .map((d) => d.toJS() as KubeObject | null)
          .filter((d): d is KubeObject => d !== null);
        batches.push({ from: `test/golden/${mesh}/${name}.yaml`, resources: docs });
      }
      for (const { from: file, resources } of batches) {
        const r = { resources };
        for (const ns of new Set(
          r.resources.map((o) => o.metadata.namespace).filter((n): n is string => !!n),
        )) {
          await ensureNamespace(cluster.kubeConfig, ns);
        }
        const prepared = await prepare(s, r.resources, { mesh });
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
        `[dry-run-golden] ${mesh}: ${objects} objects accepted from ${batches.length} batches; refused at compile: ${refused.join(', ') || 'none'}\n`,
      );
      // Nothing was written: every request that could write was a dry run.
      expect(s.client.stats.writes).toBe(0);
    });
  },
);
