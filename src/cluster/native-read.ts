/**
 * Native mesh objects read from a live cluster, for `anymesh import --from-cluster`: one LIST per
 * kind (in one namespace or across all), through the command's one KubeClient, then stripped of
 * what the API server adds, so the importer sees the objects as their author wrote them.
 *
 * Which kinds is the caller's (the import source's own list); the version read is the group's
 * preferred one, from discovery. A kind the cluster does not serve (its CRD is not installed) is
 * not an error: it is named in `unserved`.
 */
import type { KubeObject } from '../core/adapter.js';
import type { NativeKind } from '../core/import.js';
import type { KubeClient } from './client.js';
import { groupKind, RestMapper, resourcePath } from './resources.js';

export interface ClusterRead {
  /** The objects, in the kinds' order, then by namespace and name. */
  readonly objects: KubeObject[];
  /** `Kind.group` of each kind the cluster does not serve. */
  readonly unserved: string[];
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

/** The object as its author wrote it: server fields and status removed, apiVersion and kind set. */
export function stripServerFields(o: Record<string, unknown>, apiVersion: string, kind: string): KubeObject {
  const { status: _status, metadata, ...rest } = o as { status?: unknown; metadata: Record<string, unknown> };
  const meta: Record<string, unknown> = { ...metadata };
  for (const k of SERVER_METADATA) delete meta[k];
  const annotations = { ...(meta.annotations as Record<string, string> | undefined) };
  delete annotations[LAST_APPLIED];
  if (Object.keys(annotations).length) meta.annotations = annotations;
  else delete meta.annotations;
  return { ...rest, apiVersion, kind, metadata: meta } as unknown as KubeObject;
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
 * of server fields. Cluster-scoped kinds are listed whole.
 */
export async function readNativeObjects(
  client: KubeClient,
  kinds: readonly NativeKind[],
  namespace: string | undefined,
): Promise<ClusterRead> {
  const mapper = new RestMapper(client);
  const unserved: string[] = [];
  const lists = await Promise.all(
    kinds.map(async (k) => {
      const info = await mapper.findGroupKind(k.group, k.kind);
      if (!info?.verbs.includes('list')) {
        unserved.push(groupKind(k.group, k.kind));
        return [];
      }
      const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
      const items = await listAll(client, resourcePath(info, namespace));
      return items.map((i) => stripServerFields(i, apiVersion, k.kind)).sort(byPlace);
    }),
  );
  return { objects: lists.flat(), unserved: unserved.sort() };
}
