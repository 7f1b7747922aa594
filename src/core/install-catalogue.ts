/**
 * What installing a mesh means, as data each mesh's descriptor carries (`src/adapters/<mesh>/install.ts`):
 * per version, where the official Helm charts live, which charts go in which order and namespace,
 * what must already be on the cluster, and how to tell that the control plane is ready; or, for a
 * mesh anymesh never installs (App Mesh), what `register` verifies. `src/cluster/install` reads it.
 */

/** A workload whose readiness the installer waits for. */
export interface WorkloadCheck {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
}

/** A webhook configuration whose services must have ready endpoints. */
export interface WebhookCheck {
  readonly kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  /** `{namespace}` is replaced by the control plane namespace. */
  readonly name: string;
}

export interface ChartRef {
  /** Helm release name (what `helm list` shows). */
  readonly release: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Chart version (helm --version). */
  readonly version: string;
  /**
   * A chart folder shipped inside the anymesh package (the controller's), installed from there:
   * no repository, no --version (helm reads a local chart's own Chart.yaml).
   */
  readonly path?: string;
  /** Values anymesh sets unless the user overrides them. */
  readonly defaultValues?: Readonly<Record<string, unknown>>;
  /** Values the chart cannot do without, with what to put there (checked before helm runs). */
  readonly requiredValues?: readonly { readonly path: string; readonly hint: string }[];
  /** True for charts that hold the mesh's CRDs: uninstalling them deletes every policy object. */
  readonly ownsCrds?: boolean;
}

export interface CrdPrerequisite {
  /** CRD name that must exist before the charts are installed. */
  readonly crd: string;
  /** What the user should do when it is missing. */
  readonly hint: string;
  /**
   * An annotation the CRD should carry (Gateway API's release channel), and what anymesh's output
   * cannot do without it: preflight warns when the installed CRD says otherwise (the charts install).
   */
  readonly annotation?: { readonly key: string; readonly value: string; readonly why: string };
}

/** A resource kind that anymesh-managed policies of this mesh are stored as. */
export interface PolicyResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /**
   * Other meshes' output uses this kind too (Gateway API HTTPRoutes, leaf Services): an object of it
   * counts for this mesh only when the ApplySet it belongs to was applied for this mesh.
   */
  readonly shared?: boolean;
}

/** What readiness means for one install: CRDs Established, workloads ready, webhooks reachable. */
export interface InstallReadiness {
  readonly crds: readonly string[];
  /** The first is the control plane: status finds the mesh by it. */
  readonly workloads: readonly WorkloadCheck[];
  readonly webhooks: readonly WebhookCheck[];
}

/**
 * Another way to install the same release (Istio's ambient data plane): its own charts, order,
 * prerequisites and readiness, in place of the version's default ones (`--profile ID`).
 */
export interface InstallProfile {
  readonly description: string;
  /** Charts in install order (uninstall runs them backwards). */
  readonly charts: readonly ChartRef[];
  readonly crdPrerequisites: readonly CrdPrerequisite[];
  readonly readiness: InstallReadiness;
}

export interface MeshVersion {
  /** The mesh's own version, as users say it (`--version`). */
  readonly version: string;
  /** Chart repository URL (helm --repo); for charts with a `path`, that folder. */
  readonly repo: string;
  /** Charts in install order (uninstall runs them backwards). */
  readonly charts: readonly ChartRef[];
  /** Minimum Kubernetes minor version the release supports (1.x). */
  readonly minKubeMinor: number;
  readonly crdPrerequisites: readonly CrdPrerequisite[];
  readonly readiness: InstallReadiness;
  /** Install profiles other than the default one (charts, crdPrerequisites and readiness above), by id. */
  readonly profiles?: Readonly<Record<string, InstallProfile>>;
  /** Licence of the mesh itself (Consul 1.17+ is BUSL-1.1). */
  readonly license: string;
  /** Release channel note shown by install and docs. */
  readonly note?: string;
}

export interface HelmInstall {
  readonly method: 'helm';
  readonly defaultNamespace: string;
  /** API groups the mesh's CRDs live in (preflight reports which are present). */
  readonly apiGroups: readonly string[];
  /** Where anymesh-managed policies of this mesh live (uninstall refuses while any exist). */
  readonly policyResources: readonly PolicyResource[];
  /** Newest first. */
  readonly versions: readonly MeshVersion[];
  readonly docs: string;
  /**
   * What the charts create, for preflight's permission checks; absent: what a mesh's charts create
   * (CRDs, cluster roles, webhooks, the control plane's workloads).
   */
  readonly creates?: readonly {
    readonly group: string;
    readonly resource: string;
    readonly namespaced: boolean;
  }[];
  /**
   * For meshes with install profiles (`MeshVersion.profiles`): the id and meaning of the default one,
   * the version's own charts. Absent: the mesh has one way to install, and `--profile` is refused.
   */
  readonly defaultProfile?: { readonly id: string; readonly description: string };
}

/** A mesh anymesh never installs (its vendor ended it): `anymesh register` verifies and records it. */
export interface RegisterOnly {
  readonly method: 'register';
  /** The date support ended, for the registration record. */
  readonly endOfSupport: string;
  readonly controller: {
    readonly kind: 'Deployment';
    readonly name: string;
    readonly defaultNamespace: string;
  };
  readonly crds: readonly string[];
  readonly policyResources: readonly PolicyResource[];
  /** ConfigMap (in the controller namespace) where registration is recorded. */
  readonly recordName: string;
  /** Why anymesh does not install it, and where to go instead. */
  readonly advice: string;
  /** What a user must do before `register` can find the controller. */
  readonly installHint: string;
}

export type InstallMethod = HelmInstall | RegisterOnly;
