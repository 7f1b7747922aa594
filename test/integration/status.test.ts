// `anymesh status` on the shared integration cluster: every mesh's CRDs are installed there (the
// harness applies the official ones) but no control plane runs, so no mesh counts as installed, and
// status says the CRDs are there without one. An istiod Deployment applied by hand (no controllers run
// on this cluster) makes Istio "installed by hand", unhealthy, with the reason.

import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { attachCluster, kubeRequest } from './harness.js';

const cluster = attachCluster(inject('kubeconfig'));

const cli = (...argv: string[]) => runCli(argv);

const NS = 'anymesh-status-test';

afterAll(async () => {
  await kubeRequest(cluster.kubeConfig, 'DELETE', `/api/v1/namespaces/${NS}`).catch(() => {});
});

describe('anymesh status (shared cluster: CRDs only)', () => {
  it('reports no mesh installed when only CRDs are present, with a note', async () => {
    const r = await cli(
      'status',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--mesh',
      'istio,linkerd,consul',
      '-o',
      'json',
    );
    expect(r.code, r.err).toBe(0);
    const meshes = JSON.parse(r.out).meshes as {
      mesh: string;
      installed: boolean;
      crds: { present: number };
      notes: string[];
    }[];
    expect(meshes.map((m) => m.mesh)).toEqual(['istio', 'linkerd', 'consul']);
    for (const m of meshes) {
      expect(m.installed).toBe(false);
      expect(m.crds.present).toBeGreaterThan(0);
      expect(m.notes.join('\n')).toMatch(/CRDs are present but no control plane runs/);
    }
  });

  it('an istiod applied by hand without controllers: installed by hand, unhealthy, and why', async () => {
    const kc = cluster.kubeConfig;
    await kubeRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await kubeRequest(kc, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'istiod', namespace: NS, labels: { app: 'istiod' } },
      spec: {
        selector: { matchLabels: { app: 'istiod' } },
        template: {
          metadata: { labels: { app: 'istiod' } },
          spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.30.3' }] },
        },
      },
    });
    const r = await cli('status', '--kubeconfig', cluster.kubeconfigPath, '--mesh', 'istio', '-o', 'json');
    const istio = JSON.parse(r.out).meshes[0];
    expect(istio).toMatchObject({
      installed: true,
      installedBy: 'manual',
      namespace: NS,
      version: '1.30.3',
      healthy: false,
    });
    const dep = istio.components.find((c: { kind: string }) => c.kind === 'Deployment');
    expect(dep.reason).toContain('is kube-controller-manager running?');
    const table = await cli('status', '--kubeconfig', cluster.kubeconfigPath, '--mesh', 'istio');
    expect(table.out).toMatch(new RegExp(`^istio\\s+yes\\s+manual\\s+${NS}\\s+1\\.30\\.3\\s+no`, 'm'));
    expect(table.out).toContain(`istio: not ready: Deployment ${NS}/istiod:`);
  });
});
