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
 * - L7: a request (method, path, headers) against that intention's permissions as Consul stored and returned
 *   them. Envoy enforces them with the RBAC filter Consul generates (agent/xds/rbac.go); its rule is
 *   first match wins in the listed order (removePermissionPrecedence, rbac.go:178-216: each
 *   permission is ANDed with NOT every earlier one), and a request that matches no permission of
 *   the governing intention gets the default decision, never a lower-precedence intention's
 *   (removeSourcePrecedence, rbac.go:93-140: a more precise source is subtracted from less precise
 *   ones). This last step is evaluated here, from Consul's answer, not by Envoy.
 */
import type { ConsulAgent } from '../../support/consul-agent.js';

export type Decision = 'allow' | 'deny';

/** A header condition as Consul stores and returns it (structs.IntentionHTTPHeaderPermission). */
interface HeaderPermission {
  Name: string;
  Present?: boolean;
  Exact?: string;
  Prefix?: string;
  Suffix?: string;
  Regex?: string;
  Invert?: boolean;
}

interface Permission {
  Action: Decision;
  HTTP?: {
    PathExact?: string;
    PathPrefix?: string;
    PathRegex?: string;
    Methods?: string[];
    Header?: HeaderPermission[];
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
  /** One value per header; names in any case. */
  headers?: Record<string, string>;
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

/**
 * A header condition as the Envoy header matcher Consul makes of it (agent/xds/rbac.go
 * convertPermission: present, exact, prefix, suffix or safe regex on the named header, names
 * case-insensitive; invert negates). An absent header matches only an inverted condition.
 */
function headerMatches(c: HeaderPermission, r: Request): boolean {
  const entry = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === c.Name.toLowerCase());
  const value = entry?.[1];
  let ok: boolean;
  if (value === undefined) ok = false;
  else if (c.Exact) ok = value === c.Exact;
  else if (c.Prefix) ok = value.startsWith(c.Prefix);
  else if (c.Suffix) ok = value.endsWith(c.Suffix);
  // Envoy's safe_regex matches the whole value (RE2; these patterns mean the same in JS).
  else if (c.Regex) ok = new RegExp(`^(?:${c.Regex})$`).test(value);
  else if (c.Present) ok = true;
  else throw new Error(`header permission on ${c.Name} with no condition`);
  return c.Invert ? !ok : ok;
}

function permissionMatches(p: Permission, r: Request): boolean {
  const h = p.HTTP ?? {};
  if (h.Header?.some((c) => !headerMatches(c, r))) return false;
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
