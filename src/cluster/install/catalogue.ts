/**
 * Reading the install catalogue. The data lives with each mesh (`src/adapters/<mesh>/install.ts`,
 * reached through its descriptor's `install`); these helpers answer the questions install,
 * readiness and discovery ask of it. Sources of the data: docs/install.md.
 */
import type { MeshAdapter } from '../../core/adapter.js';
import type {
  ChartRef,
  CrdPrerequisite,
  HelmInstall,
  InstallProfile,
  MeshVersion,
  RegisterOnly,
  WebhookCheck,
} from '../../core/install-catalogue.js';

/** The part of a mesh descriptor that install, upgrade, uninstall and status read. */
export type MeshInstallTarget = Pick<MeshAdapter, 'id' | 'displayName' | 'install' | 'inMesh'> &
  Partial<Pick<MeshAdapter, 'dataplanes'>>;

/** A mesh anymesh installs with Helm. */
export type InstallableMesh = MeshInstallTarget & { readonly install: HelmInstall };

/**
 * Something `anymesh install` puts on a cluster with Helm that is not a mesh (the anymesh
 * controller, src/controller/install.ts): no namespace joins it, no mesh conflicts with it, and it
 * is listed beside the meshes, not among them.
 */
export interface ComponentTarget {
  readonly id: string;
  readonly displayName: string;
  readonly install: HelmInstall;
  readonly component: true;
  /**
   * What only the values decide (the controller's chart: which mesh), checked by preflight with
   * the values a release is installed with: problems with them, and CRDs that must be served.
   */
  readonly preflight?: (values: Record<string, unknown>) => {
    readonly problems: readonly string[];
    readonly crds: readonly CrdPrerequisite[];
  };
}

/** What install, upgrade, uninstall and status act on: a mesh, or a component. */
export type InstallTarget = MeshInstallTarget | ComponentTarget;

/** What `install` can install with Helm. */
export type InstallableTarget = InstallableMesh | ComponentTarget;

export function isComponent(t: InstallTarget): t is ComponentTarget {
  return 'component' in t && t.component === true;
}

/** A mesh anymesh only registers (App Mesh). */
export type RegisteredMesh = MeshInstallTarget & { readonly install: RegisterOnly };

export function isInstallable<M extends InstallTarget>(
  mesh: M,
): mesh is M & { readonly install: HelmInstall } {
  return mesh.install.method === 'helm';
}

export function isRegisterOnly<M extends InstallTarget>(mesh: M): mesh is M & RegisteredMesh {
  return mesh.install.method === 'register';
}

/** The catalogue entry for `version` (exact, or a prefix such as 1.30), or the newest when omitted. */
export function findVersion(mesh: InstallableTarget, version?: string): MeshVersion | undefined {
  const versions = mesh.install.versions;
  if (!version) return versions[0];
  const v = version.replace(/^v/, '');
  return (
    versions.find((x) => x.version === v) ??
    versions.find((x) => x.version.startsWith(`${v}.`) || v.startsWith(`${x.version}.`)) ??
    versions.find((x) => x.charts.some((c) => c.version === v))
  );
}

/** Webhook configuration name with its namespace placeholder filled in. */
export function webhookName(check: WebhookCheck, namespace: string): string {
  return check.name.replace('{namespace}', namespace);
}

/** The install profiles of a release, the default first (empty: the mesh has none). */
export function profileIds(mesh: InstallableTarget, release: MeshVersion): string[] {
  const d = mesh.install.defaultProfile;
  return d ? [d.id, ...Object.keys(release.profiles ?? {})] : [];
}

/** One profile of a release as the default's shape: its charts, prerequisites and readiness. */
export function profileOf(
  mesh: InstallableTarget,
  release: MeshVersion,
  id: string,
): InstallProfile | undefined {
  const d = mesh.install.defaultProfile;
  if (d && id === d.id)
    return {
      description: d.description,
      charts: release.charts,
      crdPrerequisites: release.crdPrerequisites,
      readiness: release.readiness,
    };
  return release.profiles?.[id];
}

/** The release with one profile's charts, prerequisites and readiness in place of the default's. */
export function withProfile(mesh: InstallableTarget, release: MeshVersion, id: string): MeshVersion {
  const p = profileOf(mesh, release, id);
  if (!p) throw new Error(`${mesh.displayName} ${release.version} has no install profile ${id}`);
  return { ...release, charts: p.charts, crdPrerequisites: p.crdPrerequisites, readiness: p.readiness };
}

/**
 * Every chart a release installs in any profile, in install order: a chart of the default profile
 * first where it is, those only a profile has after the chart they follow there (Istio: istio-base,
 * istiod, istio-cni, ztunnel). Uninstall runs this backwards; status looks for all of them.
 */
export function allCharts(release: MeshVersion): ChartRef[] {
  const out: ChartRef[] = [...release.charts];
  for (const p of Object.values(release.profiles ?? {})) {
    p.charts.forEach((c, i) => {
      if (out.some((o) => o.release === c.release)) return;
      // Right after the chart it follows in the profile (the first chart of a profile goes first).
      const prev = i > 0 ? out.findIndex((o) => o.release === p.charts[i - 1]!.release) : -1;
      out.splice(prev + 1, 0, c);
    });
  }
  return out;
}
