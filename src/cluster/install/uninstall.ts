/**
 * `anymesh uninstall MESH`: refuses while anymesh-managed policies (objects labelled
 * app.kubernetes.io/managed-by=anymesh of the mesh's API groups) exist, unless forced; then
 * `helm uninstall` for each of the mesh's releases, in reverse install order.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { type AppliedPolicy, discoverMeshes, listPolicies } from '../discovery.js';
import { CATALOGUE, type InstallableMesh } from './catalogue.js';
import { type HelmTarget, helm } from './helm.js';

export interface UninstallResult {
  readonly ok: boolean;
  readonly refused?: string;
  readonly policies: readonly AppliedPolicy[];
  readonly removed: readonly string[];
}

export async function uninstall(
  kc: KubeConfig,
  mesh: InstallableMesh,
  opts: { helm: HelmTarget; force?: boolean; progress?: (l: string) => void },
): Promise<UninstallResult> {
  const say = opts.progress ?? (() => {});
  const entry = CATALOGUE[mesh];
  const policies = await listPolicies(kc, entry.policyResources);
  if (policies.length > 0 && !opts.force) {
    const list = policies.map((p) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`);
    return {
      ok: false,
      policies,
      removed: [],
      refused: `${policies.length} anymesh-managed polic${policies.length === 1 ? 'y still depends' : 'ies still depend'} on ${entry.displayName}: ${list.join(', ')}; delete them (anymesh delete) or pass --force`,
    };
  }
  if (policies.length > 0)
    say(`--force: ${policies.length} anymesh-managed objects stay behind (and go with the CRDs)`);
  const [status] = await discoverMeshes(kc, { helm: opts.helm, meshes: [mesh] });
  const releases = status?.releases ?? [];
  if (status?.installed && releases.length === 0) {
    return {
      ok: false,
      policies,
      removed: [],
      refused: `${entry.displayName} in ${status.namespace} was not installed with Helm: anymesh does not remove it`,
    };
  }
  const order = entry.versions[0]!.charts.map((c) => c.release).reverse();
  const sorted = [...releases].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const removed: string[] = [];
  for (const r of sorted) {
    say(`helm uninstall ${r.name} --namespace ${r.namespace}`);
    await helm(opts.helm, ['uninstall', r.name, '--namespace', r.namespace, '--wait']);
    removed.push(`${r.namespace}/${r.name}`);
  }
  if (removed.length === 0) say(`${entry.displayName}: no Helm releases found; nothing to remove`);
  return { ok: true, policies, removed };
}
