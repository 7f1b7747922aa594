import { FEATURE_IDS, type FeatureId } from './features/index.js';

/**
 * How well a mesh expresses a feature.
 * - full: natively, with the same behaviour.
 * - partial: natively, but something is lost; `differs` says what, in behaviour.
 * - emulated: by other native means; `differs` says how and what it costs.
 * - none: not at all; `reason` says why and `workaround` what a user can do instead.
 */
export type SupportLevel = 'full' | 'partial' | 'emulated' | 'none';

export const SUPPORT_LEVELS: readonly SupportLevel[] = ['full', 'partial', 'emulated', 'none'];

export interface CapabilityCell {
  readonly support: SupportLevel;
  /** Why the mesh supports the feature this way (for `none`: why not). */
  readonly reason: string;
  /** For partial and emulated: what behaves differently from the policy's meaning. */
  readonly differs?: string;
  /** For none: what a user can do instead. */
  readonly workaround?: string;
  /** The lowest mesh version that supports the feature as described (e.g. `1.26`, `2.16`). */
  readonly minVersion?: string;
  /** The native fields that carry the feature, for people reading the matrix. */
  readonly native?: string;
  /** Upstream documentation the cell relies on. */
  readonly docs: string;
  /**
   * The cell for TrafficPolicies of one protocol (`spec.protocol`, default http), where the mesh
   * treats them otherwise: a gRPC-only retry condition the mesh reads only on its gRPC route kind.
   * The cell itself holds for every other protocol and for the other kinds; an http entry holds
   * for http2 too unless the cell has an http2 entry of its own (cellForProtocol).
   */
  readonly byProtocol?: Readonly<Partial<Record<PolicyProtocol, Omit<CapabilityCell, 'byProtocol'>>>>;
}

export type PolicyProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** A policy's protocol, as cells are chosen by it: TrafficPolicy spec.protocol (default http). */
export function policyProtocol(p: {
  readonly kind: string;
  readonly policy: { readonly spec: unknown };
}): PolicyProtocol | undefined {
  if (p.kind !== 'TrafficPolicy') return undefined;
  return (p.policy.spec as { protocol?: PolicyProtocol }).protocol ?? 'http';
}

/**
 * The protocol of every policy, as cells are chosen by it: a TrafficPolicy's own; a BackendPolicy's
 * is that of its service's TrafficPolicies (same namespace and service, and the same port or none
 * when the BackendPolicy names one), since a mesh that configures backends per listener protocol
 * (App Mesh's connection pools) writes them there. Without such a TrafficPolicy it is http (the
 * default protocol); when they disagree it is undefined (the cell's base entry).
 */
export function policyProtocols(
  policies: readonly {
    readonly kind: string;
    readonly ref: string;
    readonly namespace: string;
    readonly policy: { readonly spec: unknown };
  }[],
): Map<string, PolicyProtocol | undefined> {
  type Spec = { service?: string; port?: number };
  // By namespace and service: one lookup per BackendPolicy, not a pass over every TrafficPolicy.
  const traffic = new Map<string, (typeof policies)[number][]>();
  for (const t of policies) {
    if (t.kind !== 'TrafficPolicy') continue;
    const key = `${t.namespace}/${(t.policy.spec as Spec).service}`;
    const list = traffic.get(key);
    if (list) list.push(t);
    else traffic.set(key, [t]);
  }
  const out = new Map<string, PolicyProtocol | undefined>();
  for (const p of policies) {
    if (p.kind !== 'BackendPolicy') {
      out.set(p.ref, policyProtocol(p));
      continue;
    }
    const { service, port } = p.policy.spec as Spec;
    const found = new Set(
      (traffic.get(`${p.namespace}/${service}`) ?? [])
        .filter((t) => {
          const s = t.policy.spec as Spec;
          return port === undefined || s.port === undefined || s.port === port;
        })
        .map((t) => policyProtocol(t)),
    );
    out.set(p.ref, found.size === 0 ? 'http' : found.size === 1 ? [...found][0] : undefined);
  }
  return out;
}

/**
 * The protocol whose byProtocol entry holds when a cell has none for a policy's own: http2 rules are
 * HTTP rules (the mesh's HTTP route kind, or its HTTP/2 twin of the same shape), so what a mesh says
 * for http holds for http2.
 */
const PROTOCOL_FALLBACK: Partial<Record<PolicyProtocol, PolicyProtocol>> = { http2: 'http' };

/** The cell as it holds for a policy of `protocol` (undefined: not a TrafficPolicy). */
export function cellForProtocol(cell: CapabilityCell, protocol: PolicyProtocol | undefined): CapabilityCell {
  if (!protocol) return cell;
  const fallback = PROTOCOL_FALLBACK[protocol];
  return cell.byProtocol?.[protocol] ?? (fallback ? cell.byProtocol?.[fallback] : undefined) ?? cell;
}

export type CapabilityColumn = Readonly<Record<FeatureId, CapabilityCell>>;

/** Whether a feature can be compiled without loss: `partial` and `emulated` compile with a warning. */
export function isExpressible(cell: CapabilityCell): boolean {
  return cell.support !== 'none';
}

/**
 * Compares dotted version strings numerically (`2.9` < `2.16`). Non-numeric parts compare as 0,
 * so `edge-26.8.3` should be normalised by the caller.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A dotted version, optionally with a leading v and a pre-release or build suffix. */
const DOTTED_VERSION = /^v?(\d+(?:\.\d+){0,3})(?:[-+][0-9A-Za-z.-]+)?$/;

/**
 * A mesh version as the user named it, read by the mesh's own `parseVersion` (Linkerd's edge
 * releases), else as a dotted number: the version the cells' minVersion compare with, or why not.
 */
export function readMeshVersion(
  mesh: { readonly parseVersion?: (text: string) => { version: string } | { error: string } },
  text: string,
): { readonly version: string } | { readonly error: string } {
  if (mesh.parseVersion) return mesh.parseVersion(text);
  const m = DOTTED_VERSION.exec(text.trim());
  return m ? { version: m[1]! } : { error: 'not a version: give a dotted number such as 1.24 or 1.24.2' };
}

/** The comparable form of a version (as readMeshVersion), or the text itself when it is none. */
export function comparableVersion(
  mesh: { readonly parseVersion?: (text: string) => { version: string } | { error: string } },
  text: string | undefined,
): string | undefined {
  if (!text) return undefined;
  const r = readMeshVersion(mesh, text);
  return 'version' in r ? r.version : text;
}

/**
 * The cell as it holds for one mesh version: a feature whose `minVersion` is above the version
 * asked about is `none` there, with the reason saying since when it exists.
 */
export function cellForVersion(cell: CapabilityCell, version: string | undefined): CapabilityCell {
  if (!version || !cell.minVersion || cell.support === 'none') return cell;
  if (compareVersions(version, cell.minVersion) >= 0) return cell;
  return {
    ...cell,
    support: 'none',
    reason: `needs version ${cell.minVersion} or later (asked about ${version}); from ${cell.minVersion}: ${cell.reason}`,
    workaround: `upgrade to ${cell.minVersion} or later`,
  };
}

/** Throws when a column lacks a cell or has an unknown one; used by adapters at load and by tests. */
export function assertCompleteColumn(meshId: string, column: Record<string, CapabilityCell>): void {
  const missing = FEATURE_IDS.filter((id) => !column[id]);
  const extra = Object.keys(column).filter((id) => !(FEATURE_IDS as readonly string[]).includes(id));
  if (missing.length || extra.length) {
    throw new Error(
      `capability column of ${meshId} is inconsistent: missing [${missing.join(', ')}], unknown [${extra.join(', ')}]`,
    );
  }
}
