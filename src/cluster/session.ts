/**
 * A session with one cluster: the client, its REST mapper, the namespace for objects that name
 * none, and the field manager every write is made as. Apply, diff and delete each take one.
 */
import { FIELD_MANAGER } from './applyset.js';
import type { KubeClient } from './client.js';
import { RestMapper } from './resources.js';

export interface Session {
  readonly client: KubeClient;
  readonly mapper: RestMapper;
  /** The namespace for namespaced objects that name none (`-n`, else the context's). */
  readonly namespace: string;
  /**
   * The server-side apply field manager: `anymesh` for the CLI, `anymesh-controller` for the
   * controller. Prune only removes objects that carry an apply entry of this manager.
   */
  readonly fieldManager: string;
}

export function session(client: KubeClient, namespace: string): Session {
  return { client, mapper: new RestMapper(client), namespace, fieldManager: FIELD_MANAGER };
}

export interface RequestCounts {
  readonly writes: number;
  readonly dryRuns: number;
  readonly reads: number;
  readonly retries: number;
}

/** Starts counting the session's requests; the function answers the counts since then. */
export function countRequests(s: Session): () => RequestCounts {
  const c = s.client;
  const before = { ...c.stats, reads: c.stats.byMethod.GET ?? 0 };
  return () => ({
    writes: c.stats.writes - before.writes,
    dryRuns: c.stats.dryRuns - before.dryRuns,
    reads: (c.stats.byMethod.GET ?? 0) - before.reads,
    retries: c.stats.retries - before.retries,
  });
}
