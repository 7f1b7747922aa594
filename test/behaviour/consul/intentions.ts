/**
 * Who may call whom, asked of a real Consul agent.
 *
 * - L4: GET /v1/connect/intentions/check?source=S&destination=D is Consul's own decision for a
 *   connection (agent/consul/intention_endpoint.go:688-798 in consul v1.16.3): the highest-precedence
 *   intention matching S and D decides; none matching falls to the ACL default (allow on a dev agent,
 *   ACLs off). An intention with L7 permissions answers false there: Consul cannot decide it without
 *   a request (agent/consul/state/intention.go:774-781, `AllowPermissions: false`).
 * - Which intention governs S -> D: GET /v1/connect/intentions/match?by=source&name=S lists the
 *   intentions that apply to S in precedence order (Consul's IntentionMatch); the first whose
 *   destination is D (or `*`) is the one Check uses.
 * - L7: a request (method, path) against that intention's permissions as Consul stored and returned
 *   them. Envoy enforces them with the RBAC filter Consul generates (agent/xds/rbac.go); its rule is
 *   first match wins in the listed order (removePermissionPrecedence, rbac.go:178-216: each
 *   permission is ANDed with NOT every earlier one), and a request that matches no permission of
 *   the governing intention gets the default decision, never a lower-precedence intention's
 *   (removeSourcePrecedence, rbac.go:93-140: a more precise source is subtracted from less precise
 *   ones). This last step is evaluated here, from Consul's answer, not by Envoy.
 */
import type { ConsulAgent } from '../../support/consul-agent.js';

export type Decision = 'allow' | 'deny';

interface Permission {
  Action: Decision;
  HTTP?: {
    PathExact?: string;
    PathPrefix?: string;
    PathRegex?: string;
    Methods?: string[];
    Header?: unknown[];
  };
}

export interface Intention {
  SourceName: string;
  DestinationName: string;
  Action?: Decision;
  Permissions?: Permission[];
  Precedence: number;
}

export interface Request {
  method: string;
  path: string;
}

/** Consul's L4 answer for a connection. */
export async function checkAllowed(
  agent: ConsulAgent,
  source: string,
  destination: string,
): Promise<boolean> {
  const q = `source=${encodeURIComponent(source)}&destination=${encodeURIComponent(destination)}`;
  return (await agent.json<{ Allowed: boolean }>(`/v1/connect/intentions/check?${q}`)).Allowed;
}

/** The intention that governs source -> destination, or undefined (the default applies). */
export async function governing(
  agent: ConsulAgent,
  source: string,
  destination: string,
): Promise<Intention | undefined> {
  const byName = await agent.json<Record<string, Intention[]>>(
    `/v1/connect/intentions/match?by=source&name=${encodeURIComponent(source)}`,
  );
  return (byName[source] ?? []).find((i) => i.DestinationName === destination || i.DestinationName === '*');
}

function permissionMatches(p: Permission, r: Request): boolean {
  const h = p.HTTP ?? {};
  if (h.Header?.length) throw new Error('header permissions are not evaluated here; anymesh emits none');
  if (h.PathExact !== undefined && r.path !== h.PathExact) return false;
  if (h.PathPrefix !== undefined && !r.path.startsWith(h.PathPrefix)) return false;
  // Envoy's safe_regex path matcher matches the whole path (RE2; these patterns mean the same in JS).
  if (h.PathRegex !== undefined && !new RegExp(`^(?:${h.PathRegex})$`).test(r.path)) return false;
  if (h.Methods?.length && !h.Methods.includes(r.method)) return false;
  return true;
}

/** The decision for one request from source to destination; `defaultAllow` is the ACL default. */
export async function requestDecision(
  agent: ConsulAgent,
  source: string,
  destination: string,
  request: Request,
  defaultAllow = true,
): Promise<Decision> {
  const fallback: Decision = defaultAllow ? 'allow' : 'deny';
  const ixn = await governing(agent, source, destination);
  if (!ixn) return fallback;
  if (!ixn.Permissions?.length) return ixn.Action ?? fallback;
  return ixn.Permissions.find((p) => permissionMatches(p, request))?.Action ?? fallback;
}
