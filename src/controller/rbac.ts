/**
 * Least-privilege RBAC for the controller of one mesh, derived from the mesh's descriptor: the kinds
 * its install entry declares it writes (`policyResources`, which discovery and uninstall list too)
 * and what its adapter actually produces: every feature family's fixture policy (src/core/features)
 * compiled for each of the mesh's columns (Istio's ambient output writes Gateway API kinds and
 * Services the sidecar one does not), with what it cannot express left out. test/unit/controller/
 * rbac.test.ts fails when a golden output holds a kind these rules miss. The controller needs
 * those kinds (get/list/watch to plan and watch for drift, create/patch/delete to apply and prune),
 * its own policy kinds (read, and write status), Secrets (the ApplySet parent), Events, and Leases
 * (list and watch too: a standby watches the Lease it waits for).
 * The Helm chart's values.yaml carries these rules per mesh; a unit test keeps them equal.
 */
import type { MeshAdapter } from '../core/adapter.js';
import { shownColumns } from '../core/columns.js';
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

/** The group, and the plural as the rules name it, of each kind a mesh writes. */
interface GroupResource {
  readonly group: string;
  readonly kind: string;
  readonly resource: string;
}

/** The group-kinds a mesh's output can contain (every column's), sorted. */
export function outputKinds(adapter: MeshAdapter): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const column of shownColumns(adapter)) {
    const options = { ...adapter.exampleOptions, ...column.options };
    FEATURE_DEFS.forEach((f, i) => {
      const loaded = loadInputs([{ name: `fixture-${i}.yaml`, text: f.fixture.yaml }], { overlaps: false });
      const r = compileLoaded(loaded, adapter, { allowDegraded: true, context: { options } });
      for (const o of r.resources) {
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
        seen.set(`${group}/${o.kind}`, { group, kind: o.kind });
      }
    });
  }
  return [...seen.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}

/** What the controller of a mesh writes: the declared policy resources and the compiled kinds. */
export function writtenResources(adapter: MeshAdapter): GroupResource[] {
  const out = new Map<string, GroupResource>();
  for (const r of adapter.install.policyResources)
    out.set(`${r.group}/${r.kind}`, { group: r.group, kind: r.kind, resource: r.plural });
  for (const gk of outputKinds(adapter)) {
    const key = `${gk.group}/${gk.kind}`;
    if (!out.has(key)) out.set(key, { ...gk, resource: resourceOf(gk.kind) });
  }
  return [...out.values()];
}

export function controllerRules(adapter: MeshAdapter): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const gr of writtenResources(adapter)) {
    const set = byGroup.get(gr.group) ?? new Set<string>();
    set.add(gr.resource);
    byGroup.set(gr.group, set);
  }
  const policies = CRD_KINDS.map(pluralOf);
  return [
    { apiGroups: [CRD_GROUP], resources: policies, verbs: ['get', 'list', 'watch'] },
    {
      apiGroups: [CRD_GROUP],
      resources: policies.map((p) => `${p}/status`),
      verbs: ['get', 'patch', 'update'],
    },
    ...[...byGroup]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, resources]) => ({
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
