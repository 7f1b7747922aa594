// The namespace check before apply and diff (does the output fit each namespace's data plane?)
// reads the namespaces from one LIST when there are several, and one GET each for a caller that
// may get namespaces but not list them; either way the misfit is found, on a real API server.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { KubeClient } from '../../src/cluster/client.js';
import { loadKubeTarget } from '../../src/cluster/kubeconfig.js';
import { namespaceMisfits } from '../../src/cluster/namespace-fit.js';
import { session } from '../../src/cluster/session.js';
import { DEFAULT_CONTEXT, type KubeObject } from '../../src/core/adapter.js';
import { client, ensureNamespace } from './apply-support.js';
import { attachCluster } from './harness.js';

const NAMES = ['am-fit-a', 'am-fit-b', 'am-fit-c'];
const cluster = attachCluster(inject('kubeconfig'));
let getOnly = '';
beforeAll(async () => {
  for (const n of NAMES) await ensureNamespace(cluster.kubeConfig, n);
  // am-fit-b runs the ambient data plane: sidecar output does not fit it.
  await client(cluster.kubeConfig).request(
    'PATCH',
    '/api/v1/namespaces/am-fit-b',
    { metadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    'application/merge-patch+json',
  );
  getOnly = await cluster.createUser('am-fit-get-only', {
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }],
  });
});

const objects: KubeObject[] = [...NAMES, 'am-fit-absent'].map((ns) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: ns },
}));

async function misfits(kubeconfig: string) {
  const c = new KubeClient(loadKubeTarget({ kubeconfig }).config, { retry: { retries: 0 } });
  const found = await namespaceMisfits(session(c, 'default'), objects, ADAPTERS.istio!, DEFAULT_CONTEXT);
  return { found, gets: c.stats.byMethod.GET ?? 0 };
}

describe('the namespace check of apply and diff', () => {
  it('reads four namespaces with one LIST and finds the ambient one (the absent one is left to the dry-run)', async () => {
    const { found, gets } = await misfits(cluster.kubeconfigPath);
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining('am-fit-b')]);
    expect(gets).toBe(1);
  });

  it('reads them one by one when the caller may get namespaces but not list them', async () => {
    const { found, gets } = await misfits(getOnly);
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining('am-fit-b')]);
    // The refused LIST, then a GET per namespace.
    expect(gets).toBe(1 + 4);
  });
});
