/**
 * Least-privilege RBAC for the controller of one mesh, derived from what that mesh's adapter
 * actually produces: every feature family's fixture policy (src/core/features) compiled for the
 * mesh, with what it cannot express left out, gives the kinds of its output. The controller needs
 * those kinds (get/list/watch to plan and watch for drift, create/patch/delete to apply and prune),
 * its own policy kinds (read, and write status), Secrets (the ApplySet parent), Events, and Leases
 * (list and watch too: a standby watches the Lease it waits for).
 * The Helm chart's values.yaml carries these rules per mesh; a unit test keeps them equal.
 */
import type { MeshAdapter } from '../core/adapter.js';
import { FEATURE_DEFS } from '../core/features/index.js';
import { compileLoaded, loadInputs } from '../core/pipeline.js';
import { CRD_GROUP, CRD_KINDS, pluralOf } from './crds.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * The plural of a kind as the meshes' CRDs spell it (checked against shared/crds by the chart
 * test): Mesh -> meshes, AuthorizationPolicy -> authorizationpolicies, and Consul's kinds that end
 * in s keep it (ServiceDefaults -> servicedefaults).
 */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return lower;
  if (/(sh|ch|x)$/.test(lower)) return `${lower}es`;
  return pluralOf(kind);
}

/** The group-kinds a mesh's output can contain, sorted. */
export function outputKinds(adapter: MeshAdapter): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  FEATURE_DEFS.forEach((f, i) => {
    const loaded = loadInputs([{ name: `fixture-${i}.yaml`, text: f.fixture.yaml }], { overlaps: false });
    const r = compileLoaded(loaded, adapter, { allowDegraded: true });
    for (const o of r.resources) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
      seen.set(`${group}/${o.kind}`, { group, kind: o.kind });
    }
  });
  return [...seen.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}

export function controllerRules(adapter: MeshAdapter): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const gk of outputKinds(adapter)) {
    const set = byGroup.get(gk.group) ?? new Set<string>();
    set.add(resourceOf(gk.kind));
    byGroup.set(gk.group, set);
  }
  const policies = CRD_KINDS.map(pluralOf);
  return [
    { apiGroups: [CRD_GROUP], resources: policies, verbs: ['get', 'list', 'watch'] },
    {
      apiGroups: [CRD_GROUP],
      resources: policies.map((p) => `${p}/status`),
      verbs: ['get', 'patch', 'update'],
    },
    ...[...byGroup].map(([group, resources]) => ({
      apiGroups: [group],
      resources: [...resources].sort(),
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
    })),
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'list', 'watch', 'create', 'update'],
    },
  ];
}
