/**
 * `anymesh register MESH`: a mesh anymesh never installs (App Mesh: AWS ended support on
 * 2026-09-30) is verified (its controller Deployment Available, its CRDs Established) and recorded
 * in a ConfigMap beside it, as SuperGloo registered existing meshes.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { type KubeObj, kubeCall, kubeGet, kubeList } from '../client.js';
import { workloadVersion } from '../discovery.js';
import type { RegisteredMesh } from './catalogue.js';
import { checkAll, type ReadinessResult } from './readiness.js';

export interface RegisterResult {
  readonly ok: boolean;
  readonly namespace?: string;
  readonly version?: string;
  readonly readiness: readonly ReadinessResult[];
  readonly problem?: string;
  readonly advice: string;
}

export async function registerMesh(
  kc: KubeConfig,
  mesh: RegisteredMesh,
  opts: { namespace?: string; dryRun?: boolean } = {},
): Promise<RegisterResult> {
  const reg = mesh.install;
  const name = reg.controller.name;
  const w = opts.namespace
    ? await kubeGet<KubeObj>(kc, `/apis/apps/v1/namespaces/${opts.namespace}/deployments/${name}`)
    : (
        await kubeList<KubeObj>(
          kc,
          `/apis/apps/v1/deployments?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
        )
      )[0];
  if (!w) {
    return {
      ok: false,
      readiness: [],
      advice: reg.advice,
      problem: `no ${mesh.displayName} controller (Deployment ${name}) found${opts.namespace ? ` in ${opts.namespace}` : ''}: ${reg.installHint}`,
    };
  }
  const namespace = w.metadata.namespace!;
  const readiness = await checkAll(kc, [
    ...reg.crds.map((c) => ({ kind: 'CustomResourceDefinition' as const, name: c })),
    { kind: 'Deployment' as const, name, namespace },
  ]);
  const version = workloadVersion(w);
  const ok = readiness.every((r) => r.ready);
  if (ok && !opts.dryRun) {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: reg.recordName, namespace, labels: { 'app.kubernetes.io/managed-by': 'anymesh' } },
      data: {
        mesh: mesh.id,
        controller: `${namespace}/${name}`,
        ...(version ? { version } : {}),
        registeredAt: new Date().toISOString(),
        endOfSupport: reg.endOfSupport,
      },
    };
    await kubeCall(
      kc,
      'PATCH',
      `/api/v1/namespaces/${namespace}/configmaps/${reg.recordName}?fieldManager=anymesh&force=true`,
      body,
      'application/apply-patch+yaml',
    );
  }
  return {
    ok,
    namespace,
    ...(version ? { version } : {}),
    readiness,
    advice: reg.advice,
    ...(ok ? {} : { problem: 'the controller is not healthy: see the readiness report' }),
  };
}
