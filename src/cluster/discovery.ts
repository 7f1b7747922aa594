/**
 * Discovery: which meshes run on a cluster, installed by anymesh (Helm releases anymesh labelled),
 * by Helm otherwise, or by hand (CRDs plus the control-plane workloads, e.g. istiod in istio-system);
 * their versions (release chart version, else the workload's version label, else its image tag);
 * whether they are healthy; which namespaces are in the mesh; which anymesh policies are applied.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, sourcesOf } from '../core/adapter.js';
import type { MeshVersion, PolicyResource } from '../core/install-catalogue.js';
import { registeredMeshIds } from '../core/mesh-ids.js';
import { APPLYSET_ID_LABEL, APPLYSET_PART_OF_LABEL, defaultApplySetName } from './applyset.js';
import { collectionPath, KubeApiError, type KubeObj, kubeGet, kubeList, kubeListNames } from './client.js';
import {
  allCharts,
  type InstallableTarget,
  type InstallTarget,
  isComponent,
  isInstallable,
  type MeshInstallTarget,
  profileIds,
  profileOf,
  type RegisteredMesh,
  webhookName,
} from './install/catalogue.js';
import { type HelmRelease, type HelmTarget, listReleases, splitChart } from './install/helm.js';
import { checkAll, type ReadinessResult, type ReadinessTarget } from './install/readiness.js';

/** Label anymesh puts on the Helm release records it creates (helm --labels). */
export const RELEASE_LABEL = 'anymesh.dev/installed-by';
/** Label with the install profile (`--profile`) on the Helm release records anymesh creates. */
export const PROFILE_LABEL = 'anymesh.dev/install-profile';

export type InstalledBy = 'anymesh' | 'helm' | 'manual' | 'registered' | 'none';

export interface AppliedPolicy {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  /** The anymesh policies it was compiled from (annotation anymesh.dev/source-policies). */
  readonly sources: readonly string[];
}

export interface MeshStatus {
  readonly mesh: string;
  readonly displayName: string;
  readonly installed: boolean;
  readonly installedBy: InstalledBy;
  readonly namespace?: string;
  readonly version?: string;
  /** The install profile found (meshes with profiles: the label anymesh put on its releases, else which charts or workloads run). */
  readonly profile?: string;
  readonly healthy: boolean;
  /** Readiness of each control-plane component (CRDs, workloads, webhooks). */
  readonly components: readonly ReadinessResult[];
  /** Mesh CRDs present / expected. */
  readonly crds: { readonly present: number; readonly expected: number };
  readonly releases: readonly {
    name: string;
    namespace: string;
    chart: string;
    version: string;
    status: string;
  }[];
  readonly namespaces: readonly string[];
  /**
   * For meshes with several data planes: each namespace's (e.g. ambient, sidecar, none), and the
   * waypoints (Gateways of the mesh's waypoint class) with their namespaces.
   */
  readonly dataplanes?: Readonly<Record<string, string>>;
  readonly waypoints?: readonly { namespace: string; name: string }[];
  readonly policies: readonly AppliedPolicy[];
  readonly notes: readonly string[];
}

export interface DiscoveryOptions {
  /** Helm connection; absent or helm missing: release records are read from their Secrets instead. */
  readonly helm?: HelmTarget;
}

interface ReleaseInfo {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  status: string;
  anymesh: boolean;
  /** The install profile anymesh recorded on the release. */
  profile?: string;
}

/** Helm release records: from Secrets (always readable with RBAC) joined with `helm list` when available. */
async function releases(
  kc: KubeConfig,
  helmTarget: HelmTarget | undefined,
  notes: string[],
): Promise<ReleaseInfo[]> {
  const secrets = await kubeList<KubeObj>(
    kc,
    `/api/v1/secrets?labelSelector=${encodeURIComponent('owner=helm')}`,
  );
  const latest = new Map<string, KubeObj>();
  for (const s of secrets) {
    const l = s.metadata.labels ?? {};
    const key = `${s.metadata.namespace}/${l.name}`;
    const prev = latest.get(key);
    if (!prev || Number(l.version) > Number(prev.metadata.labels?.version)) latest.set(key, s);
  }
  let listed: HelmRelease[] = [];
  if (helmTarget) {
    try {
      listed = await listReleases(helmTarget);
    } catch (e) {
      notes.push(
        `helm list failed (${(e as Error).message.split('\n')[0]}); chart versions come from workloads`,
      );
    }
  }
  return [...latest.values()].map((s) => {
    const l = s.metadata.labels ?? {};
    const h = listed.find((r) => r.name === l.name && r.namespace === s.metadata.namespace);
    const chart = h ? splitChart(h.chart) : { name: '', version: '' };
    return {
      name: l.name ?? '',
      namespace: s.metadata.namespace ?? '',
      chart: chart.name,
      version: chart.version,
      status: h?.status ?? l.status ?? '',
      anymesh: l[RELEASE_LABEL] === 'anymesh',
      ...(l[PROFILE_LABEL] ? { profile: l[PROFILE_LABEL] } : {}),
    };
  });
}

async function findWorkload(
  kc: KubeConfig,
  kind: string,
  name: string,
  preferNs?: string,
): Promise<KubeObj | undefined> {
  const plural = `${kind.toLowerCase()}s`;
  if (preferNs) {
    const o = await kubeGet<KubeObj>(kc, `/apis/apps/v1/namespaces/${preferNs}/${plural}/${name}`);
    if (o) return o;
  }
  const all = await kubeList<KubeObj>(
    kc,
    `/apis/apps/v1/${plural}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
  );
  return all[0];
}

/** Version from the workload: app.kubernetes.io/version label, else the first container's image tag. */
export function workloadVersion(w: KubeObj | undefined): string | undefined {
  if (!w) return undefined;
  const label = w.metadata.labels?.['app.kubernetes.io/version'];
  if (label) return label;
  const containers =
    (w.spec?.template as { spec?: { containers?: { image?: string }[] } } | undefined)?.spec?.containers ??
    [];
  const image = containers[0]?.image ?? '';
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  return tag?.replace(/^(stable-|edge-)/, (m) => (m === 'edge-' ? 'edge-' : ''));
}

/**
 * The anymesh-managed objects of `resources`. An object of a shared kind (one several meshes write:
 * HTTPRoutes, leaf Services) is left out when its ApplySet is another registered mesh's default one
 * (`anymesh apply --mesh M` without --applyset: parent Secret applyset-anymesh-M); one in this mesh's
 * set counts, and so does one in no set of a mesh (applied by the controller, or with --applyset
 * NAME), because it may be this mesh's: uninstall then refuses rather than strand it.
 */
export async function listPolicies(
  kc: KubeConfig,
  resources: readonly PolicyResource[],
  mesh?: string,
): Promise<AppliedPolicy[]> {
  const selector = encodeURIComponent(`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`);
  const out: AppliedPolicy[] = [];
  // One LIST per kind across namespaces, all at once (results kept in the resources' order).
  const [sets, ...lists] = await Promise.all([
    mesh && resources.some((r) => r.shared) ? applySetOwners(kc) : Promise.resolve(new Map<string, string>()),
    ...resources.map((r) =>
      kubeList<KubeObj>(kc, `${collectionPath(r.group, r.version, r.plural)}?labelSelector=${selector}`),
    ),
  ]);
  // The default sets of the other registered meshes (a set named otherwise belongs to no mesh).
  const others = new Set(
    mesh
      ? registeredMeshIds()
          .filter((m) => m !== mesh)
          .map((m) => `applyset-${defaultApplySetName(m)}`)
      : [],
  );
  for (const [i, r] of resources.entries()) {
    for (const o of lists[i]!) {
      const owner = sets.get(o.metadata.labels?.[APPLYSET_PART_OF_LABEL] ?? '');
      if (r.shared && owner && others.has(owner)) continue;
      out.push({
        kind: r.kind,
        apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
        name: o.metadata.name,
        sources: sourcesOf(o),
      });
    }
  }
  return out;
}

/** ApplySet id -> the name of its parent Secret, for every set anymesh applied. */
async function applySetOwners(kc: KubeConfig): Promise<Map<string, string>> {
  const parents = await kubeList<KubeObj>(
    kc,
    `/api/v1/secrets?labelSelector=${encodeURIComponent(`${APPLYSET_ID_LABEL},${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`)}`,
  );
  return new Map(parents.map((p) => [p.metadata.labels?.[APPLYSET_ID_LABEL] ?? '', p.metadata.name]));
}

/** Whether a namespace is in the mesh, by the mesh's own injection labels and annotations (none joins a component). */
function inMesh(mesh: InstallTarget, ns: KubeObj): boolean {
  if (isComponent(mesh)) return false;
  return mesh.inMesh({ labels: ns.metadata.labels ?? {}, annotations: ns.metadata.annotations ?? {} });
}

/** The cluster's CRD names, read once per discovery (every mesh asks). */
type CrdNames = () => Promise<Set<string>>;

function crdNamesOnce(kc: KubeConfig): CrdNames {
  let names: Promise<Set<string>> | undefined;
  return () => {
    names ??= kubeListNames(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions').then(
      (n) => new Set(n),
    );
    return names;
  };
}

async function crdCount(crds: CrdNames, names: readonly string[]): Promise<number> {
  const have = await crds();
  return names.filter((n) => have.has(n)).length;
}

/** The status of each of `meshes` (descriptors from the registry, or components), in their order. */
export async function discoverMeshes(
  kc: KubeConfig,
  meshes: readonly InstallTarget[],
  opts: DiscoveryOptions = {},
): Promise<MeshStatus[]> {
  const notes: string[] = [];
  const rel = meshes.some(isInstallable) ? await releases(kc, opts.helm, notes) : [];
  const namespaces = await kubeList<KubeObj>(kc, '/api/v1/namespaces');
  const crds = crdNamesOnce(kc);
  const out: MeshStatus[] = [];
  for (const mesh of meshes) {
    out.push(
      isInstallable(mesh)
        ? await helmMeshStatus(kc, mesh, rel, namespaces, notes, crds)
        : await registeredStatus(kc, mesh as RegisteredMesh, namespaces, crds),
    );
  }
  return out;
}

async function helmMeshStatus(
  kc: KubeConfig,
  mesh: InstallableTarget,
  rel: readonly ReleaseInfo[],
  namespaces: readonly KubeObj[],
  notes: readonly string[],
  crds: CrdNames,
): Promise<MeshStatus> {
  const entry = mesh.install;
  const newest = entry.versions[0]!;
  const meshNotes = [...notes];
  const chartNames = new Set(entry.versions.flatMap((v) => allCharts(v).map((c) => c.chart)));
  const releaseNames = new Set(entry.versions.flatMap((v) => allCharts(v).map((c) => c.release)));
  const myReleases = rel.filter((r) => (r.chart ? chartNames.has(r.chart) : releaseNames.has(r.name)));
  // The control plane: the catalogue's first workload, wherever it runs.
  const primary = newest.readiness.workloads[0]!;
  const relNs =
    myReleases.find((r) => r.chart !== newest.charts[0]?.chart)?.namespace ?? myReleases[0]?.namespace;
  const w = await findWorkload(kc, primary.kind, primary.name, relNs ?? entry.defaultNamespace);
  const namespace = w?.metadata.namespace ?? relNs;
  const crdsPresent = await crdCount(crds, newest.readiness.crds);
  const installed = w !== undefined || myReleases.length > 0;
  const profile = installed ? await installedProfile(kc, mesh, newest, myReleases, namespace) : undefined;
  const readiness = (profile ? profileOf(mesh, newest, profile)?.readiness : undefined) ?? newest.readiness;
  let components: ReadinessResult[] = [];
  if (installed && namespace) {
    const targets: ReadinessTarget[] = [
      ...readiness.crds.map((name) => ({ kind: 'CustomResourceDefinition' as const, name })),
      ...readiness.workloads.map((x) => ({ kind: x.kind, name: x.name, namespace })),
      ...readiness.webhooks.map((x) => ({ kind: x.kind, name: webhookName(x, namespace) })),
    ];
    components = await checkAll(kc, targets);
  } else if (crdsPresent > 0) {
    meshNotes.push(
      `${crdsPresent} of its CRDs are present but no control plane runs (${primary.kind} ${primary.name} not found)`,
    );
  }
  const chartRelease = myReleases.find((r) => r.version);
  const releaseVersion = chartRelease
    ? (entry.versions.find((v) =>
        v.charts.some((c) => c.chart === chartRelease.chart && c.version === chartRelease.version),
      )?.version ?? chartRelease.version)
    : undefined;
  const version = releaseVersion ?? workloadVersion(w);
  const installedBy: InstalledBy = !installed
    ? 'none'
    : myReleases.some((r) => r.anymesh)
      ? 'anymesh'
      : myReleases.length > 0
        ? 'helm'
        : 'manual';
  return {
    mesh: mesh.id,
    displayName: mesh.displayName,
    installed,
    installedBy,
    ...(namespace ? { namespace } : {}),
    ...(version ? { version } : {}),
    ...(profile ? { profile } : {}),
    healthy: installed && components.length > 0 && components.every((c) => c.ready),
    components,
    crds: { present: crdsPresent, expected: newest.readiness.crds.length },
    releases: myReleases.map(({ anymesh: _, profile: _p, ...r }) => r),
    namespaces: namespaces
      .filter((n) => inMesh(mesh, n))
      .map((n) => n.metadata.name)
      .sort(),
    ...(isComponent(mesh) ? {} : await dataplaneStatus(kc, mesh, namespaces)),
    policies: installed || crdsPresent > 0 ? await listPolicies(kc, entry.policyResources, mesh.id) : [],
    notes: meshNotes,
  };
}

/**
 * Which install profile runs: the one anymesh recorded on its releases; else the profile with the
 * most charts whose every release is there (Helm installs by hand); else, with no releases, the one
 * with the most workloads whose every workload runs (manual installs: istiod alone is the default,
 * istiod plus the ztunnel and istio-cni-node DaemonSets is ambient).
 */
async function installedProfile(
  kc: KubeConfig,
  mesh: InstallableTarget,
  release: MeshVersion,
  found: readonly ReleaseInfo[],
  namespace: string | undefined,
): Promise<string | undefined> {
  const ids = profileIds(mesh, release);
  if (ids.length === 0) return undefined;
  const recorded = found.find((r) => r.anymesh && r.profile && ids.includes(r.profile))?.profile;
  if (recorded) return recorded;
  const profiles = ids
    .map((id) => ({ id, p: profileOf(mesh, release, id)! }))
    .sort((a, b) => b.p.charts.length - a.p.charts.length);
  if (found.length > 0) {
    const names = new Set(found.map((r) => r.name));
    return profiles.find(({ p }) => p.charts.every((c) => names.has(c.release)))?.id;
  }
  if (!namespace) return undefined;
  for (const { id, p } of [...profiles].sort(
    (a, b) => b.p.readiness.workloads.length - a.p.readiness.workloads.length,
  )) {
    const present = await Promise.all(
      p.readiness.workloads.map((x) =>
        kubeGet<KubeObj>(kc, `/apis/apps/v1/namespaces/${namespace}/${x.kind.toLowerCase()}s/${x.name}`),
      ),
    );
    if (present.every((o) => o !== undefined)) return id;
  }
  return undefined;
}

/**
 * Data plane per namespace and the waypoints, for meshes that declare data planes. Gateways are
 * listed only when the cluster serves Gateway API (a 404 means it does not: no waypoints).
 */
async function dataplaneStatus(
  kc: KubeConfig,
  mesh: MeshInstallTarget,
  namespaces: readonly KubeObj[],
): Promise<Pick<MeshStatus, 'dataplanes' | 'waypoints'>> {
  const d = mesh.dataplanes;
  if (!d) return {};
  const dataplanes = Object.fromEntries(
    [...namespaces]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((n) => [
        n.metadata.name,
        d.modeOf({ labels: n.metadata.labels ?? {}, annotations: n.metadata.annotations ?? {} }),
      ]),
  );
  if (!d.waypointClass) return { dataplanes };
  let gateways: KubeObj[] = [];
  try {
    gateways = await kubeList<KubeObj>(kc, '/apis/gateway.networking.k8s.io/v1/gateways');
  } catch (e) {
    if (!(e instanceof KubeApiError && (e.code === 404 || e.code === 403))) throw e;
  }
  const waypoints = gateways
    .filter((g) => (g as { spec?: { gatewayClassName?: string } }).spec?.gatewayClassName === d.waypointClass)
    .map((g) => ({ namespace: g.metadata.namespace ?? '', name: g.metadata.name }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { dataplanes, waypoints };
}

async function registeredStatus(
  kc: KubeConfig,
  mesh: RegisteredMesh,
  namespaces: readonly KubeObj[],
  crds: CrdNames,
): Promise<MeshStatus> {
  const reg = mesh.install;
  const w = await findWorkload(kc, 'Deployment', reg.controller.name, reg.controller.defaultNamespace);
  const crdsPresent = await crdCount(crds, reg.crds);
  const namespace = w?.metadata.namespace;
  const record = namespace
    ? await kubeGet<KubeObj & { data?: Record<string, string> }>(
        kc,
        `/api/v1/namespaces/${namespace}/configmaps/${reg.recordName}`,
      )
    : undefined;
  const components = w
    ? await checkAll(kc, [
        ...reg.crds.map((name) => ({ kind: 'CustomResourceDefinition' as const, name })),
        { kind: 'Deployment' as const, name: reg.controller.name, namespace: namespace! },
      ])
    : [];
  const version = workloadVersion(w);
  return {
    mesh: mesh.id,
    displayName: mesh.displayName,
    installed: w !== undefined,
    installedBy: !w ? 'none' : record ? 'registered' : 'manual',
    ...(namespace ? { namespace } : {}),
    ...(version ? { version } : {}),
    healthy: components.length > 0 && components.every((c) => c.ready),
    components,
    crds: { present: crdsPresent, expected: reg.crds.length },
    releases: [],
    namespaces: namespaces
      .filter((n) => inMesh(mesh, n))
      .map((n) => n.metadata.name)
      .sort(),
    policies: w || crdsPresent > 0 ? await listPolicies(kc, reg.policyResources, mesh.id) : [],
    notes: [reg.advice],
  };
}
