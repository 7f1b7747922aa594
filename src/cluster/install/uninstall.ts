/**
 * `anymesh uninstall MESH`: refuses while anymesh-managed policies (objects labelled
 * app.kubernetes.io/managed-by=anymesh of the mesh's API groups) exist, unless forced; then
 * `helm uninstall` for each of the mesh's releases, in reverse install order.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import { type AppliedPolicy, discoverMeshes, listPolicies } from '../discovery.js';
import { allCharts, type InstallableTarget } from './catalogue.js';
import { type HelmTarget, helm } from './helm.js';

export interface UninstallResult {
  readonly ok: boolean;
  readonly refused?: string;
  readonly policies: readonly AppliedPolicy[];
  readonly removed: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export async function uninstall(
  kc: KubeConfig,
  mesh: InstallableTarget,
  opts: { helm: HelmTarget; force?: boolean; progress?: (l: string) => void },
): Promise<UninstallResult> {
  const say = opts.progress ?? (() => {});
  const entry = mesh.install;
  const policies = await listPolicies(kc, entry.policyResources, mesh.id);
  if (policies.length > 0 && !opts.force) {
    const list = policies.map((p) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`);
    const d = diag('UninstallRefused', {
      count: policies.length,
      policies: policies.length === 1 ? 'policy' : 'policies',
      verb: policies.length === 1 ? 'depends' : 'depend',
      mesh: mesh.displayName,
      objects: list.join(', '),
    });
    return { ok: false, policies, removed: [], refused: d.message, diagnostics: [d] };
  }
  if (policies.length > 0)
    say(`--force: ${policies.length} anymesh-managed objects stay behind (and go with the CRDs)`);
  const [status] = await discoverMeshes(kc, [mesh], { helm: opts.helm });
  const releases = status?.releases ?? [];
  if (status?.installed && releases.length === 0) {
    const d = diag('UninstallNotHelm', { mesh: mesh.displayName, namespace: status.namespace ?? '?' });
    return { ok: false, policies, removed: [], refused: d.message, diagnostics: [d] };
  }
  // Every profile's charts (Istio ambient: ztunnel, istio-cni, istiod, istio-base), backwards.
  const order = allCharts(entry.versions[0]!)
    .map((c) => c.release)
    .reverse();
  const sorted = [...releases].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const removed: string[] = [];
  for (const r of sorted) {
    say(`helm uninstall ${r.name} --namespace ${r.namespace}`);
    await helm(opts.helm, ['uninstall', r.name, '--namespace', r.namespace, '--wait']);
    removed.push(`${r.namespace}/${r.name}`);
  }
  if (removed.length === 0) say(`${mesh.displayName}: no Helm releases found; nothing to remove`);
  return { ok: true, policies, removed, diagnostics: [] };
}
