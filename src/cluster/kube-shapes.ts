/**
 * The loose object shapes and REST paths that install, readiness and discovery read: objects as
 * the API server sends them, with only the fields those modules look at typed.
 */

/** A status condition (metav1.Condition and the older per-kind ones share these fields). */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The loosely typed object shape used by readiness and discovery. */
export interface KubeObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

export function condition(obj: KubeObj | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Path of a resource collection: core (`v1`) or grouped. */
export function collectionPath(group: string, version: string, plural: string, namespace?: string): string {
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}
