/**
 * The mesh descriptor: everything anymesh knows about one mesh, as one plain object that
 * `satisfies MeshAdapter` in `src/adapters/<mesh>/index.ts`: how to compile to it, its capability
 * column (and option-dependent columns), its options, how it is installed or registered, how a
 * namespace is recognised as meshed, and its docs. Nothing outside `src/adapters` spells a mesh id;
 * every mesh list is derived from the registry (`src/adapters/index.ts`).
 *
 * `compile` is pure and deterministic (no cluster, no clock, no randomness), and it only ever sees
 * features its capability column says it can express: the compiler has already refused or left
 * out the rest.
 */
import type { AdapterOption } from './adapter-options.js';
import type { CapabilityColumn } from './capabilities.js';
import type { MeshDefaults } from './defaults.js';
import type { Diagnostic, MessageType } from './diagnostics.js';
import type { MeshEvidence } from './evidence.js';
import type { ImportContext, ImportResult, NativeFormat, NativeKind, NativeObject } from './import.js';
import type { InstallMethod } from './install-catalogue.js';
import type { PolicyDoc } from './model/policy-doc.js';

/** A mesh's id as users type it (`--mesh`), e.g. in `src/adapters/<id>/`. */
export type MeshId = string;

/** The labels and annotations of a namespace, all that detection looks at. */
export interface NamespaceMarks {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Kubernetes object as plain data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/**
 * A non-Kubernetes artefact (e.g. a Consul config entry for `consul config write`), rendered as-is.
 * Adapters that only produce Kubernetes objects never return these.
 */
export type OutputResource = KubeObject;

export interface CompileContext {
  /** Kubernetes cluster domain for FQDNs. Default: cluster.local. */
  readonly clusterDomain: string;
  /** SPIFFE trust domain of workload identities. Default: cluster.local. */
  readonly trustDomain: string;
  /** The mesh version to compile for, when the user named one (`--mesh-version`). */
  readonly meshVersion?: string;
  /** Adapter options (`--option key=value`), each adapter declares its own (`MeshAdapter.options`). */
  readonly options: Readonly<Record<string, string>>;
}

export const DEFAULT_CONTEXT: CompileContext = {
  clusterDomain: 'cluster.local',
  trustDomain: 'cluster.local',
  options: {},
};

export interface AdapterResult {
  readonly resources: KubeObject[];
  readonly diagnostics: Diagnostic[];
}

/** One column of a mesh: an id (`istio-ambient`), a header that says the mode, and its options. */
export interface ColumnVariant {
  readonly id: string;
  readonly title: string;
  readonly options: Readonly<Record<string, string>>;
  /** How this column's cells are proven, when less than the mesh's own `evidence` says. */
  readonly evidence?: MeshEvidence;
}

export interface MeshAdapter {
  readonly id: MeshId;
  readonly displayName: string;
  /** Mesh versions the output is written for and tested against. */
  readonly versions: { readonly minimum: string; readonly tested: string };
  /**
   * Optional: reads a version as this mesh names its releases (`--mesh-version`) into the dotted
   * version the capability cells' `minVersion` compare with (Linkerd: `edge-26.8.3` -> `2.20`), or
   * says why it is not one. Absent: a dotted number (`1.24`, `v1.24.2`, `1.24.0-beta.1`) is the
   * version as it is.
   */
  parseVersion?(text: string): { readonly version: string } | { readonly error: string };
  /** The matrix column for the mesh with default options (what `anymesh capabilities` shows). */
  readonly capabilities: CapabilityColumn;
  /**
   * Optional: the column under the given options, when an option changes what the mesh can do
   * (Consul Enterprise has namespaces). Must differ from `capabilities` only in cells the options
   * affect, and each such cell must say so.
   */
  capabilitiesFor?(ctx: CompileContext): CapabilityColumn;
  /**
   * Optional: the columns shown side by side (docs/capabilities.md) and proven one by one (golden
   * cases in test/golden/<column id>/, registry and conformance tests), each with the options that
   * select it; the first is the default column. Absent: the one column `capabilities`, titled
   * `displayName`. For option-dependent columns that change what the output is (Istio's data plane),
   * not for every option.
   */
  readonly columns?: readonly ColumnVariant[];
  /**
   * How the column's cells are proven (schema, accepted by a real component, behaviour observed
   * in the mesh's own code); every cell's evidence level is derived from this (core/evidence.ts).
   */
  readonly evidence: MeshEvidence;
  /**
   * What the mesh does when a rule omits timeout or retries, against the model's neutral meaning
   * (core/defaults.ts); `check` reports the rules where they differ.
   */
  readonly defaults: MeshDefaults;
  /** Upstream documentation home. */
  readonly docs: string;
  /** How the mesh gets onto a cluster: Helm charts anymesh installs, or a registration only. */
  readonly install: InstallMethod;
  /**
   * Optional, for meshes with several data planes (Istio: sidecar or ambient): the data plane of a
   * namespace (`none` when it is in neither), and the GatewayClass of the mesh's L7 proxies
   * (waypoints), for `status`.
   */
  readonly dataplanes?: {
    modeOf(ns: NamespaceMarks): string;
    readonly waypointClass?: string;
  };
  /** Whether a namespace is in the mesh (its injection labels or annotations), for `status`. */
  inMesh(ns: NamespaceMarks): boolean;
  /**
   * Optional: whether output compiled under `ctx` fits a target namespace, read by apply and diff
   * before anything is written. Returns the diagnostic refusing it (naming the namespace), or
   * undefined when it fits. Istio refuses sidecar output into an ambient namespace and back.
   */
  namespaceFit?(ns: NamespaceMarks & { readonly name: string }, ctx: CompileContext): Diagnostic | undefined;
  /** Folders under the shared CRD directory holding the CRDs of what this mesh's output uses. */
  readonly crdFolders: readonly string[];
  /** Set when the vendor has ended support; every compile warns with this advice. */
  readonly endOfSupport?: { readonly date: string; readonly advice: string };
  /** The code prefix of this mesh's own diagnostics (`AM41` ... `AM44`; a fifth mesh takes AM45). */
  readonly codeRange: string;
  /** Adapter-specific diagnostics (codes in `codeRange`), merged into the catalogue. */
  readonly messages: Readonly<Record<string, MessageType>>;
  /** Adapter options accepted in CompileContext.options (`--option`), the one list everything reads. */
  readonly options: readonly AdapterOption[];
  /**
   * Option values the shipped examples and the test fixtures compile with: facts a policy does not
   * carry that this mesh needs (Linkerd's Server ports, App Mesh's certificate source). Default: none.
   */
  readonly exampleOptions?: Readonly<Record<string, string>>;
  compile(policies: readonly PolicyDoc[], ctx: CompileContext): AdapterResult;
  /**
   * Optional: renders the compiled resources in a mesh-specific form instead of Kubernetes YAML
   * (e.g. Consul config entries for `consul config write`), when an option asks for it. Returns
   * undefined to use the standard YAML / JSON List rendering.
   */
  render?(resources: readonly KubeObject[], ctx: CompileContext, format: 'yaml' | 'json'): string | undefined;
  /**
   * Optional: native objects of this mesh -> neutral policies (`anymesh import`, `migrate plan`).
   * Every native field is imported or reported (src/core/import.ts, FieldLedger); objects of kinds
   * it does not import are listed as skipped.
   */
  import?(objects: readonly NativeObject[], ctx: ImportContext): ImportResult;
  /** With `import`: the kinds it reads, which `anymesh import --from-cluster` lists. */
  readonly importKinds?: readonly NativeKind[];
  /** With `import`: native files of other forms than Kubernetes YAML that it reads. */
  readonly importFormat?: NativeFormat;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'anymesh';
export const SOURCE_ANNOTATION = 'anymesh.dev/source-policies';
/** Written instead of SOURCE_ANNOTATION when the list would be too long (sourceAnnotation). */
export const SOURCE_COUNT_ANNOTATION = 'anymesh.dev/source-policy-count';

/**
 * The longest source list an object carries. Kubernetes refuses an object whose annotations total
 * more than 256 KiB (apimachinery pkg/api/validation/objectmeta.go, TotalAnnotationSizeLimitB);
 * App Mesh's Mesh, which names every policy, reached it from about 7,000 policies. The budget
 * leaves room for the user's own annotations and kubectl's last-applied copy.
 */
export const SOURCE_LIST_BUDGET = 64 * 1024;

/**
 * The annotation naming the policies an object comes from: the sorted, comma-joined refs, or,
 * past SOURCE_LIST_BUDGET, their count (`anymesh.dev/source-policy-count`), which readers take
 * as "many policies, not named here" (sourcesOf returns none).
 */
export function sourceAnnotation(sortedRefs: readonly string[]): Record<string, string> {
  return annotationOfList(sortedRefs.join(','), sortedRefs.length);
}

function annotationOfList(list: string, count: number): Record<string, string> {
  return list.length > SOURCE_LIST_BUDGET
    ? { [SOURCE_COUNT_ANNOTATION]: String(count) }
    : { [SOURCE_ANNOTATION]: list };
}

/** The policy refs an output object names (none when it is not anymesh's or names a count). */
export function sourcesOf(o: { metadata: { annotations?: Record<string, string> } }): string[] {
  const list = o.metadata.annotations?.[SOURCE_ANNOTATION];
  return list ? list.split(',').filter(Boolean) : [];
}

/** The labels of every output object without extra labels: one frozen object, not one each. */
const MANAGED_LABELS: Readonly<Record<string, string>> = Object.freeze({
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
});

/**
 * The last source annotation made, reused while consecutive objects come from the same policies
 * (a policy's several objects are made one after another): at 100,000 policies a fresh object
 * each was ~100 MB of the compile's peak. Frozen, as the shared labels are: output is replaced,
 * never edited in place (istio/backend.ts addSource, cluster/plan.ts).
 */
let lastSources: { key: string; annotations: Readonly<Record<string, string>> } | undefined;

function sharedSourceAnnotation(refs: readonly string[]): Readonly<Record<string, string>> {
  const key = refs.join(',');
  if (lastSources?.key !== key)
    lastSources = { key, annotations: Object.freeze(annotationOfList(key, refs.length)) };
  return lastSources.annotations;
}

/**
 * Metadata for an output object: the managed-by label and an annotation naming every policy it
 * comes from (`Kind/namespace/name`, sorted), so users can trace any native object to its source.
 */
export function outputMetadata(
  name: string,
  namespace: string | undefined,
  sources: readonly (PolicyDoc | string)[],
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject['metadata'] {
  const refOf = (s: PolicyDoc | string) => (typeof s === 'string' ? s : s.ref);
  const refs = sources.length === 1 ? [refOf(sources[0]!)] : [...new Set(sources.map(refOf))].sort();
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: extra.labels ? { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...extra.labels } : MANAGED_LABELS,
    annotations: extra.annotations
      ? { ...sourceAnnotation(refs), ...extra.annotations }
      : sharedSourceAnnotation(refs),
  };
}

/** `<service>.<namespace>.svc.<clusterDomain>` */
export function serviceFqdn(service: string, namespace: string, ctx: CompileContext): string {
  return `${service}.${namespace}.svc.${ctx.clusterDomain}`;
}

/** Deterministic order of output: by apiVersion group, kind, namespace, name. */
export function sortResources(resources: readonly KubeObject[]): KubeObject[] {
  // apiVersion, kind and namespace take a few dozen values: each is ranked once, in localeCompare's
  // order (equal ranks where it finds them equal), so that a comparison compares numbers and only
  // the name with localeCompare. Four localeCompare calls per comparison were ~9 s of sorting
  // 600,000 objects (100,000 policies on App Mesh); the order is the same.
  const apiVersion = ranks(resources, (r) => r.apiVersion);
  const kind = ranks(resources, (r) => r.kind);
  const namespace = ranks(resources, (r) => r.metadata.namespace ?? '');
  return [...resources].sort(
    (a, b) =>
      apiVersion.get(a.apiVersion)! - apiVersion.get(b.apiVersion)! ||
      kind.get(a.kind)! - kind.get(b.kind)! ||
      namespace.get(a.metadata.namespace ?? '')! - namespace.get(b.metadata.namespace ?? '')! ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** Each distinct value's place in localeCompare's order; values it finds equal share a place. */
function ranks(resources: readonly KubeObject[], key: (r: KubeObject) => string): Map<string, number> {
  const values = [...new Set(resources.map(key))].sort((a, b) => a.localeCompare(b));
  const out = new Map<string, number>();
  let rank = 0;
  values.forEach((v, i) => {
    if (i > 0 && values[i - 1]!.localeCompare(v) !== 0) rank++;
    out.set(v, rank);
  });
  return out;
}
