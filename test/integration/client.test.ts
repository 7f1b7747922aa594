// The one Kubernetes client against a real kube-apiserver: the client the shared cluster flags make
// is the one install and discovery reach through the kubeconfig, it identifies itself as
// anymesh/<version>, and refusals come back as the one KubeApiError with the server's Status.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfigFlags } from '../../src/cli/config-flags.js';
import { collectionPath, KubeApiError, kubeCall, kubeGet, kubeList } from '../../src/cluster/client.js';
import { ensureNamespace } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';

const kc = inject('kubeconfig');
const NS = 'am-client';
let cluster: ClusterHandle;
beforeAll(async () => {
  cluster = attachCluster(kc);
  await ensureNamespace(cluster.kubeConfig, NS);
});

describe('the one client', () => {
  it('install-style helpers given the kubeconfig use the client the flags made', async () => {
    const t = resolveConfigFlags({ kubeconfig: kc, namespace: NS });
    const before = t.client.stats.byMethod.GET ?? 0;
    expect(await kubeGet(t.config, `/api/v1/namespaces/${NS}`)).toMatchObject({ metadata: { name: NS } });
    expect(await kubeGet(t.config, `/api/v1/namespaces/${NS}/configmaps/absent`)).toBeUndefined();
    expect(await kubeList(t.config, collectionPath('', 'v1', 'namespaces'))).not.toHaveLength(0);
    expect(t.client.stats.byMethod.GET).toBe(before + 3);
  });

  it('sends User-Agent anymesh/<version>: the API server names an update without fieldManager after it', async () => {
    const t = resolveConfigFlags({ kubeconfig: kc, namespace: NS });
    const name = `ua-${Date.now()}`;
    // kube-apiserver takes the field manager of a create without ?fieldManager from the
    // User-Agent, up to its first '/' (apiserver endpoints/handlers: managerOrUserAgent).
    const created = (await kubeCall(t.client, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { a: '1' },
    })) as { metadata: { managedFields?: { manager?: string }[] } };
    expect(created.metadata.managedFields?.map((f) => f.manager)).toEqual(['anymesh']);
  });

  it('a refusal is a KubeApiError carrying the Status, not retried', async () => {
    const t = resolveConfigFlags({ kubeconfig: kc, namespace: NS });
    const err = await kubeCall(t.client, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Not_A_DNS_Name' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    const e = err as KubeApiError;
    expect([e.code, e.reason, e.status?.kind, e.transient, e.attempts]).toEqual([
      422,
      'Invalid',
      'Status',
      false,
      1,
    ]);
    expect(e.status?.details?.causes?.[0]?.field).toBe('metadata.name');
    expect(e.describe()).toMatch(/^POST \/api\/v1\/namespaces\/am-client\/configmaps: HTTP 422 Invalid: /);
  });
});
