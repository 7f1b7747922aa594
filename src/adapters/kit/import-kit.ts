/**
 * Helpers every importer shares: metadata (what anymesh itself produced names its source
 * policies), service host names, durations, and the neutral policy envelope.
 */
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SOURCE_ANNOTATION,
  SOURCE_COUNT_ANNOTATION,
} from '../../core/adapter.js';
import type {
  FieldLedger,
  ImportContext,
  ImportedPolicy,
  NativeKind,
  NativeObject,
} from '../../core/import.js';
import { parseDuration } from '../../core/model/duration.js';
import { API_VERSION } from '../../core/model/schema.js';

/** Fields the API server sets; they are bookkeeping, not configuration, so import takes them. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'finalizers',
];

/** kubectl's record of the last applied configuration: a copy of the object, not configuration. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ImportedMeta {
  readonly name: string;
  readonly namespace: string;
  /** The neutral policies the object names in `anymesh.dev/source-policies`, when anymesh made it. */
  readonly sources?: readonly { kind: string; namespace: string; name: string }[];
  /** User labels and annotations, carried to the neutral policy (which does not copy them to output). */
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Reads an object's metadata and `status` (which the import takes: it is state, not policy). */
export function takeMetadata(ledger: FieldLedger, o: NativeObject): ImportedMeta {
  const name = ledger.take<string>(o, ['metadata', 'name'])!;
  ledger.take(o, ['metadata', 'namespace']);
  for (const f of SERVER_METADATA) ledger.take(o, ['metadata', f]);
  ledger.take(o, ['status']);
  const labels = { ...(ledger.peek<Record<string, string>>(o, ['metadata', 'labels']) ?? {}) };
  const annotations = { ...(ledger.peek<Record<string, string>>(o, ['metadata', 'annotations']) ?? {}) };
  let sources: ImportedMeta['sources'];
  const list = annotations[SOURCE_ANNOTATION];
  const count = annotations[SOURCE_COUNT_ANNOTATION];
  if (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && (list || count)) {
    ledger.take(o, ['metadata', 'labels', MANAGED_BY_LABEL]);
    // A count stands for a list too long to write (sourceAnnotation): anymesh made the object, and
    // its many policies are named by the other objects they made.
    sources = (list ?? '').split(',').flatMap((ref) => {
      const [kind, namespace, n] = ref.split('/');
      return kind && namespace && n ? [{ kind, namespace, name: n }] : [];
    });
    delete labels[MANAGED_BY_LABEL];
    for (const a of [SOURCE_ANNOTATION, SOURCE_COUNT_ANNOTATION])
      if (annotations[a] !== undefined) {
        ledger.take(o, ['metadata', 'annotations', a]);
        delete annotations[a];
      }
  }
  if (annotations[LAST_APPLIED] !== undefined) {
    ledger.take(o, ['metadata', 'annotations', LAST_APPLIED]);
    delete annotations[LAST_APPLIED];
  }
  for (const k of Object.keys(labels)) ledger.take(o, ['metadata', 'labels', k]);
  for (const k of Object.keys(annotations)) ledger.take(o, ['metadata', 'annotations', k]);
  // An empty map says nothing (`annotations: {}`).
  for (const f of ['labels', 'annotations'])
    if (Object.keys(ledger.peek<object>(o, ['metadata', f]) ?? { x: 1 }).length === 0)
      ledger.take(o, ['metadata', f]);
  return {
    name,
    namespace: o.namespace,
    ...(sources?.length ? { sources } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

/** The neutral metadata of an imported policy: user labels and annotations carried over. */
export function neutralMetadata(
  name: string,
  namespace: string,
  meta?: Pick<ImportedMeta, 'labels' | 'annotations'>,
): ImportedPolicy['policy']['metadata'] {
  return {
    name,
    namespace,
    ...(meta?.labels ? { labels: meta.labels } : {}),
    ...(meta?.annotations ? { annotations: meta.annotations } : {}),
  };
}

export function neutralPolicy(
  kind: string,
  metadata: ImportedPolicy['policy']['metadata'],
  spec: Record<string, unknown>,
  from: readonly string[],
): ImportedPolicy {
  return { policy: { apiVersion: API_VERSION, kind, metadata, spec }, from };
}

/**
 * A Kubernetes Service behind a host name: a short name relative to the object's namespace
 * (`reviews`), `reviews.bookinfo.svc` or the FQDN `reviews.bookinfo.svc.<cluster domain>`. A
 * two-label name (`reviews.bookinfo`) is not expanded by Istio (it is taken as a domain), so it is
 * undefined here like external hosts and wildcards, and importers report it.
 */
export function serviceOfHost(
  host: string,
  namespace: string,
  ctx: ImportContext,
): { service: string; namespace: string } | undefined {
  if (host.includes('*')) return undefined;
  const fqdn = `.svc.${ctx.clusterDomain}`;
  const bare = host.endsWith(fqdn)
    ? host.slice(0, -fqdn.length)
    : host.endsWith('.svc')
      ? host.slice(0, -4)
      : undefined;
  if (bare === undefined) return host.includes('.') ? undefined : { service: host, namespace };
  const parts = bare.split('.');
  return parts.length === 2 ? { service: parts[0]!, namespace: parts[1]! } : undefined;
}

/** A native duration in the neutral form, or undefined when it is not one (e.g. `1.5ns`). */
export function neutralDuration(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  return 'ms' in parseDuration(text) ? text : undefined;
}

/** DNS-1123 label, what a neutral rule name must be. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/**
 * Splits anymesh's `<policy>.<rule>` route names back into policy and rule, with the policy names
 * the object's annotation lists (the longest that fits: policy names may hold dots).
 */
export function splitRouteName(
  routeName: string | undefined,
  policies: readonly string[],
): { policy: string; rule: string } | undefined {
  if (!routeName) return undefined;
  const best = policies.filter((p) => routeName.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0];
  return best === undefined ? undefined : { policy: best, rule: routeName.slice(best.length + 1) };
}

/**
 * The kinds an importer reads, as `anymesh import --from-cluster` lists them: `group` may be an
 * apiVersion (`appmesh.k8s.aws/v1beta2`) or a group with the importers' trailing slash
 * (`policy.linkerd.io/`); only the group is kept.
 */
export function nativeKinds(group: string, kinds: readonly string[]): NativeKind[] {
  const g = group.split('/')[0] ?? '';
  return kinds.map((kind) => ({ group: g, kind }));
}

/**
 * Core Services: the leaf Services per version that Linkerd and App Mesh output route to, and the
 * routes' parents. A context kind: from a cluster, a Service nothing routes to is not listed.
 */
export const SERVICE_KIND: NativeKind = {
  group: '',
  kind: 'Service',
  context: 'the Services routes name as parents and versions',
};

/**
 * Namespaces, read from a cluster for what an importer looks up in them (`context`: their labels
 * or annotations), as it finds them among the files of a file import.
 */
export const namespaceKind = (context: string): NativeKind => ({ group: '', kind: 'Namespace', context });

/** The workloads whose pod templates name container ports (what a Server's named port means). */
export const workloadKinds = (context: string): NativeKind[] =>
  ['Deployment', 'StatefulSet', 'DaemonSet'].map((kind) => ({ group: 'apps', kind, context }));

/** `{}`: a mapping that sets nothing (what a null the API server drops can leave behind). */
export function isEmptyMapping(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
