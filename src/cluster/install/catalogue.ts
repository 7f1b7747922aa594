/**
 * Reading the install catalogue. The data lives with each mesh (`src/adapters/<mesh>/install.ts`,
 * reached through its descriptor's `install`); these helpers answer the questions install,
 * readiness and discovery ask of it. Sources of the data: docs/install.md.
 */
import type { MeshAdapter } from '../../core/adapter.js';
import type {
  CrdPrerequisite,
  HelmInstall,
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
