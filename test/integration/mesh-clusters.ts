/**
 * The API server a mesh's output is checked on: the shared one (the official CRDs, Gateway API
 * standard channel) for a mesh whose `crdFolders` it serves; a cluster of its own, with exactly the
 * mesh's `crdFolders`, for a mesh that names a folder the shared one leaves out (Istio:
 * gateway-api/experimental, since the ambient HTTPRoutes carry `rules[].retry`, which the
 * standard-channel schema has no field for: server-side apply answers 500 "failed to create typed
 * patch object ...: .spec.rules[0].retry: field not declared in schema"). One own cluster per mesh,
 * started on first use, for every test of the file.
 */
import type { MeshAdapter } from '../../src/core/adapter.js';
import { type Cluster, type ClusterHandle, EXCLUDED_CRD_DIRS, startCluster } from './harness.js';

/** Whether the shared cluster lacks CRD folders this mesh's output is checked against. */
const needsOwnCluster = (adapter: MeshAdapter) =>
  adapter.crdFolders.some((f) => EXCLUDED_CRD_DIRS.some((d) => `${f.replace(/\/$/, '')}/` === d));

export class MeshClusters {
  private readonly own = new Map<string, Promise<Cluster>>();
  constructor(private readonly shared: () => ClusterHandle) {}

  /** The cluster a mesh's output goes to. */
  for(adapter: MeshAdapter): Promise<ClusterHandle> {
    if (!needsOwnCluster(adapter)) return Promise.resolve(this.shared());
    let c = this.own.get(adapter.id);
    if (!c) {
      c = startCluster({ crdFolders: adapter.crdFolders });
      this.own.set(adapter.id, c);
    }
    return c;
  }

  /** Stops the clusters started for meshes of their own. */
  async stop(): Promise<void> {
    for (const c of this.own.values()) await (await c).stop();
  }
}
