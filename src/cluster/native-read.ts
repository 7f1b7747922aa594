/**
 * Native mesh objects read from a live cluster, for `anymesh import --from-cluster`: one LIST per
 * kind (in one namespace or across all), through the command's one KubeClient, then stripped of
 * what the API server adds, so the importer sees the objects as their author wrote them.
 *
 * Which kinds is the caller's (the import source's own list); the version read is the group's
 * preferred one, from discovery, or the first other that serves the kind
 * (RestMapper.findGroupKind). A kind the cluster does not serve (its CRD is not installed) is
 * not an error: it is named in `unserved`. Nor is a context kind (NativeKind `context`: Services,
 * Namespaces, workloads) the caller may not read: it is named in `unreadable`, with what the
 * import then lacks.
 */
import type { KubeObject } from '../core/adapter.js';
import type { NativeKind } from '../core/import.js';
import type { KubeClient } from './client.js';
import { KubeApiError } from './kube-error.js';
import { groupKind, RestMapper, resourcePath } from './resources.js';

export interface ClusterRead {
  /** The objects, in the kinds' order, then by namespace and name. */
  readonly objects: KubeObject[];
  /** Those of them of context kinds (NativeKind `context`): read for what the others refer to. */
  readonly context: ReadonlySet<KubeObject>;
  /** `Kind.group` of each kind the cluster does not serve. */
  readonly unserved: string[];
  /** Context kinds the cluster refused to show: `Kind.group`, the status, and what was not read. */
  readonly unreadable: { kind: string; reason: string; context: string }[];
}

/** Items per LIST page: a page of VirtualServices stays well under the server's size limits. */
const PAGE = 500;

/**
 * Metadata the API server writes (ObjectMeta's read-only fields, and what kubectl apply keeps), and
 * the status: none of it is the author's configuration, and an importer would report each leaf.
 * Kubernetes API conventions, "Metadata" (uid, resourceVersion, generation, creationTimestamp,
 * deletionTimestamp, managedFields, selfLink are system-populated).
 */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
] as const;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const NAME_LABEL = 'kubernetes.io/metadata.name';

/** The object as its author wrote it: server fields and status removed, apiVersion and kind set. */
export function stripServerFields(o: Record<string, unknown>, apiVersion: string, kind: string): KubeObject {
  const { status: _status, metadata, ...rest } = o as { status?: unknown; metadata: Record<string, unknown> };
  const meta: Record<string, unknown> = { ...metadata };
  for (const k of SERVER_METADATA) delete meta[k];
  const annotations = { ...(meta.annotations as Record<string, string> | undefined) };
  delete annotations[LAST_APPLIED];
  if (Object.keys(annotations).length) meta.annotations = annotations;
  else delete meta.annotations;
  if (apiVersion === 'v1' && kind === 'Namespace') return authoredNamespace(rest, meta);
  return { ...rest, apiVersion, kind, metadata: meta } as unknown as KubeObject;
}

/**
 * A Namespace without what the API server gives every one (the namespace strategy of
 * kube-apiserver): the label `kubernetes.io/metadata.name` (its own name, immutable) and the
 * `kubernetes` finalizer in spec, which no author writes.
 */
function authoredNamespace(rest: Record<string, unknown>, meta: Record<string, unknown>): KubeObject {
  const labels = { ...(meta.labels as Record<string, string> | undefined) };
  if (labels[NAME_LABEL] === meta.name) delete labels[NAME_LABEL];
  if (Object.keys(labels).length) meta.labels = labels;
  else delete meta.labels;
  const { spec, ...other } = rest as { spec?: { finalizers?: unknown[] } };
  const finalizers = spec?.finalizers?.filter((f) => f !== 'kubernetes') ?? [];
  const authored = { ...spec, ...(finalizers.length ? { finalizers } : {}) };
  if (!finalizers.length) delete authored.finalizers;
  return {
    ...other,
    ...(Object.keys(authored).length ? { spec: authored } : {}),
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta,
  } as unknown as KubeObject;
}

/**
 * The namespace read with -n, by a GET of it: RBAC checks a GET of Namespace X as a request in
 * namespace X, so the built-in view, edit and admin roles bound there allow it, while a LIST of
 * Namespaces is cluster-wide and needs a ClusterRole. None when it does not exist.
 */
async function ownNamespace(client: KubeClient, path: string): Promise<Record<string, unknown>[]> {
  try {
    return [(await client.request<Record<string, unknown>>('GET', path)).body];
  } catch (e) {
    if (e instanceof KubeApiError && e.code === 404) return [];
    throw e;
  }
}

/** Every item of a collection, page by page (`limit` and `continue`, as kubectl get does). */
async function listAll(client: KubeClient, collection: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const query = `?limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const page = await client.request<{
      items?: Record<string, unknown>[];
      metadata?: { continue?: string };
    }>('GET', `${collection}${query}`);
    items.push(...(page.body.items ?? []));
    token = page.body.metadata?.continue || undefined;
  } while (token);
  return items;
}

const byPlace = (a: KubeObject, b: KubeObject) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

/**
 * LISTs each kind in `namespace` (all namespaces when undefined) and returns the objects stripped
 * of server fields. Cluster-scoped kinds are listed whole, but for Namespaces: with a namespace,
 * only its own, the one the objects read are in.
 */
export async function readNativeObjects(
  client: KubeClient,
  kinds: readonly NativeKind[],
  namespace: string | undefined,
): Promise<ClusterRead> {
  const mapper = new RestMapper(client);
  const unserved: string[] = [];
  const unreadable: ClusterRead['unreadable'] = [];
  const lists = await Promise.all(
    kinds.map(async (k) => {
      const info = await mapper.findGroupKind(k.group, k.kind);
      if (!info?.verbs.includes('list')) {
        unserved.push(groupKind(k.group, k.kind));
        return [];
      }
      const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
      try {
        const items =
          k.group === '' && k.kind === 'Namespace' && namespace
            ? await ownNamespace(client, resourcePath(info, undefined, namespace))
            : await listAll(client, resourcePath(info, namespace));
        return items.map((i) => stripServerFields(i, apiVersion, k.kind)).sort(byPlace);
      } catch (e) {
        if (!k.context || !(e instanceof KubeApiError) || (e.code !== 403 && e.code !== 401)) throw e;
        unreadable.push({
          kind: groupKind(k.group, k.kind),
          reason: e.reason || String(e.code),
          context: k.context,
        });
        return [];
      }
    }),
  );
  const context = new Set(lists.flatMap((list, i) => (kinds[i]!.context === undefined ? [] : list)));
  return { objects: lists.flat(), context, unserved: unserved.sort(), unreadable };
}
