/**
 * What a compiled Consul discovery chain means for a request, read from a real agent:
 * GET /v1/discovery-chain/<service> gives the chain Consul compiled from the config entries
 * (agent/consul/discoverychain/compile.go), and each target's instances are the ones
 * GET /v1/health/connect/<service>?filter=<the subset's filter> returns, the query a sidecar's
 * upstream watch makes (agent/proxycfg/upstreams.go:318-331 and 465-481 in consul v1.16.3: one
 * Health watch per chain target, `Filter: target.Subset.Filter`, `Connect: true`).
 *
 * The result is neutral and shaped like a TrafficPolicy rule, so tests can compare it with an
 * expectation written by hand from the policy: routes in the order Envoy tries them, each with its
 * match, timeout, retries and the weighted backends it reaches, a backend being the exact instance
 * IDs it can send to and the header changes a request to it gets. Nothing here reads anymesh output.
 *
 * How the chain becomes Envoy configuration (agent/xds/routes.go, consul v1.16.3):
 * - a router node's routes become Envoy routes in order (routes.go:623-690); a route without a
 *   match, or with an empty one, matches every request (makeRouteMatchForDiscoveryRoute,
 *   routes.go:790-794), so routes after it are unreachable and are left out here;
 * - `RequestTimeout > 0` sets the route timeout (routes.go:674-676); otherwise none is set and
 *   Envoy's own default of 15 s applies (envoy RouteAction.timeout, go-control-plane v0.11.1
 *   envoy/config/route/v3/route_components.pb.go:1780). `timeoutMs` is then undefined here;
 * - a retry policy is set only when the destination has a retry feature (routes.go:682-684,
 *   HasRetryFeatures in agent/structs/config_entry_discoverychain.go:508-510); its conditions are
 *   RetryOn, plus connect-failure for RetryOnConnectFailure, plus retriable-status-codes with the
 *   codes (getRetryPolicyForDestination, routes.go:753-788). Here `on` lists RetryOn, connect-failure
 *   and the status codes as the policy writes them; `attempts` is NumRetries, or Envoy's default of 1
 *   when Consul sets none (route_components.pb.go:2376-2379);
 * - route-level header changes apply to every backend of the route, split-level ones to their leg
 *   (injectHeaderManipToRoute / makeRouteActionForSplitter): here they are merged per backend.
 */
import type { ConsulAgent } from '../../support/consul-agent.js';

export interface HeaderOps {
  add?: Record<string, string>;
  set?: Record<string, string>;
  remove?: string[];
}

export interface MatchMeaning {
  path?: { exact?: string; prefix?: string; regex?: string };
  methods?: string[];
  headers?: Record<string, unknown>[];
  queryParams?: Record<string, unknown>[];
}

export interface BackendMeaning {
  /** Percent of the route's requests. */
  weight: number;
  /** Instance (service) IDs the leg can reach, sorted. */
  instances: string[];
  requestHeaders?: HeaderOps;
  responseHeaders?: HeaderOps;
}

export interface RouteMeaning {
  match: MatchMeaning | 'any';
  timeoutMs?: number;
  /** The path prefix the matched prefix is replaced with before forwarding (Envoy prefix_rewrite). */
  prefixRewrite?: string;
  retries?: { attempts: number; on: string[] };
  backends: BackendMeaning[];
}

type Obj = Record<string, unknown>;

interface Chain {
  ServiceName: string;
  Protocol: string;
  StartNode: string;
  Nodes: Record<string, ChainNode>;
  Targets: Record<string, { Service: string; Subset?: { Filter?: string } }>;
}

interface ChainNode {
  Type: 'router' | 'splitter' | 'resolver';
  Routes?: { Definition: { Match?: { HTTP?: Obj }; Destination?: Obj }; NextNode: string }[];
  Splits?: { Definition: Obj; Weight: number; NextNode: string }[];
  Resolver?: { Target: string; RequestTimeout?: string; ConnectTimeout?: string };
  LoadBalancer?: Obj;
}

export async function discoveryChain(agent: ConsulAgent, service: string): Promise<Chain> {
  return (await agent.json<{ Chain: Chain }>(`/v1/discovery-chain/${encodeURIComponent(service)}`)).Chain;
}

/** A Go time.Duration as Consul prints it ("3s", "1m30s", "500ms", "1h0m0s") in milliseconds. */
export function goDurationMs(text: string): number {
  const unit: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let ms = 0;
  let rest = text;
  while (rest.length) {
    const m = /^([0-9.]+)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) throw new Error(`not a Go duration: ${text}`);
    ms += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return ms;
}

/** Consul's Match.HTTP in the policy's words (path, methods, headers, queryParams), keys lower-cased. */
function matchMeaning(http: Obj | undefined): MatchMeaning | 'any' {
  if (!http) return 'any';
  const lower = (o: Obj) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
  const out: MatchMeaning = {};
  if (http.PathExact) out.path = { exact: http.PathExact as string };
  if (http.PathPrefix) out.path = { prefix: http.PathPrefix as string };
  if (http.PathRegex) out.path = { regex: http.PathRegex as string };
  if (Array.isArray(http.Methods) && http.Methods.length) out.methods = http.Methods as string[];
  if (Array.isArray(http.Header) && http.Header.length) out.headers = (http.Header as Obj[]).map(lower);
  if (Array.isArray(http.QueryParam) && http.QueryParam.length)
    out.queryParams = (http.QueryParam as Obj[]).map(lower);
  return Object.keys(out).length ? out : 'any';
}

function headerOps(...all: (Obj | undefined)[]): HeaderOps | undefined {
  const out: HeaderOps = {};
  for (const ops of all) {
    if (!ops) continue;
    if (ops.Add) out.add = { ...out.add, ...(ops.Add as Record<string, string>) };
    if (ops.Set) out.set = { ...out.set, ...(ops.Set as Record<string, string>) };
    if (ops.Remove) out.remove = [...(out.remove ?? []), ...(ops.Remove as string[])];
  }
  return Object.keys(out).length ? out : undefined;
}

function retries(d: Obj): RouteMeaning['retries'] {
  const on = [
    ...((d.RetryOn as string[] | undefined) ?? []),
    ...(d.RetryOnConnectFailure ? ['connect-failure'] : []),
    ...((d.RetryOnStatusCodes as number[] | undefined) ?? []).map(String),
  ];
  const attempts = (d.NumRetries as number | undefined) ?? 0;
  if (!attempts && !on.length) return undefined;
  return { attempts: attempts || 1, on: [...new Set(on)].sort() };
}

/** The instance IDs a resolver node's target selects, as a sidecar's endpoint watch would. */
async function instances(agent: ConsulAgent, chain: Chain, resolverNode: string): Promise<string[]> {
  const node = chain.Nodes[resolverNode];
  if (node?.Type !== 'resolver' || !node.Resolver) throw new Error(`${resolverNode} is not a resolver node`);
  const target = chain.Targets[node.Resolver.Target];
  if (!target) throw new Error(`chain has no target ${node.Resolver.Target}`);
  const filter = target.Subset?.Filter;
  const entries = await agent.json<{ Service: { Proxy?: { DestinationServiceID?: string } } }[]>(
    `/v1/health/connect/${encodeURIComponent(target.Service)}${filter ? `?filter=${encodeURIComponent(filter)}` : ''}`,
  );
  return entries.map((e) => e.Service.Proxy?.DestinationServiceID ?? '?').sort();
}

async function backends(
  agent: ConsulAgent,
  chain: Chain,
  next: string,
  routeHeaders: { request?: Obj; response?: Obj },
): Promise<BackendMeaning[]> {
  const node = chain.Nodes[next];
  if (!node) throw new Error(`chain has no node ${next}`);
  const legs =
    node.Type === 'splitter'
      ? (node.Splits ?? []).map((s) => ({ weight: s.Weight, next: s.NextNode, def: s.Definition }))
      : [{ weight: 100, next, def: {} as Obj }];
  const out: BackendMeaning[] = [];
  for (const leg of legs) {
    const request = headerOps(routeHeaders.request, leg.def.RequestHeaders as Obj | undefined);
    const response = headerOps(routeHeaders.response, leg.def.ResponseHeaders as Obj | undefined);
    out.push({
      weight: leg.weight,
      instances: await instances(agent, chain, leg.next),
      ...(request ? { requestHeaders: request } : {}),
      ...(response ? { responseHeaders: response } : {}),
    });
  }
  return out;
}

/** The reachable routes of a service's chain, in the order Envoy tries them. */
export async function chainMeaning(agent: ConsulAgent, service: string): Promise<RouteMeaning[]> {
  const chain = await discoveryChain(agent, service);
  const start = chain.Nodes[chain.StartNode];
  if (!start) throw new Error(`chain of ${service} has no start node ${chain.StartNode}`);
  if (start.Type === 'splitter')
    return [{ match: 'any', backends: await backends(agent, chain, chain.StartNode, {}) }];
  if (start.Type === 'resolver') {
    const t = start.Resolver?.RequestTimeout;
    return [
      {
        match: 'any',
        ...(t ? { timeoutMs: goDurationMs(t) } : {}),
        backends: await backends(agent, chain, chain.StartNode, {}),
      },
    ];
  }
  const out: RouteMeaning[] = [];
  for (const route of start.Routes ?? []) {
    const d = route.Definition.Destination ?? {};
    const match = matchMeaning(route.Definition.Match?.HTTP);
    const r = retries(d);
    out.push({
      match,
      ...(d.RequestTimeout ? { timeoutMs: goDurationMs(d.RequestTimeout as string) } : {}),
      ...(d.PrefixRewrite ? { prefixRewrite: d.PrefixRewrite as string } : {}),
      ...(r ? { retries: r } : {}),
      backends: await backends(agent, chain, route.NextNode, {
        request: d.RequestHeaders as Obj | undefined,
        response: d.ResponseHeaders as Obj | undefined,
      }),
    });
    // Envoy takes the first matching route; a catch-all ends the reachable list (Consul appends its
    // own catch-all to the service itself after the router's routes, compile.go:700-704).
    if (match === 'any' || (match.path?.prefix === '/' && Object.keys(match).length === 1)) break;
  }
  return out;
}

/** The protocol Consul compiled the chain for (routers and splitters need http, http2 or grpc). */
export async function chainProtocol(agent: ConsulAgent, service: string): Promise<string> {
  return (await discoveryChain(agent, service)).Protocol;
}

/**
 * How callers balance over a service and how long they wait to connect, as its chain's resolver
 * nodes carry it (Consul copies a ServiceResolver's LoadBalancer onto every resolver node of the
 * chain and its ConnectTimeout onto DiscoveryResolver, agent/consul/discoverychain/compile.go): one
 * entry per distinct setting, so subsets balancing differently would show.
 */
export interface BalancingMeaning {
  policy: string;
  hash?: Obj[];
  connectTimeoutMs?: number;
}

export async function chainBalancing(agent: ConsulAgent, service: string): Promise<BalancingMeaning[]> {
  const chain = await discoveryChain(agent, service);
  const seen = new Map<string, BalancingMeaning>();
  for (const node of Object.values(chain.Nodes)) {
    if (node.Type !== 'resolver') continue;
    const lb = node.LoadBalancer ?? {};
    const hash = lb.HashPolicies as Obj[] | undefined;
    const t = node.Resolver?.ConnectTimeout;
    const m: BalancingMeaning = {
      // No LoadBalancer: Envoy's default, round robin.
      policy: (lb.Policy as string | undefined) || 'round_robin',
      ...(hash?.length ? { hash: hash.map(hashMeaning) } : {}),
      ...(t ? { connectTimeoutMs: goDurationMs(t) } : {}),
    };
    seen.set(JSON.stringify(m), m);
  }
  return [...seen.values()];
}

/** A hash policy with keys lower-cased and durations in ms (Consul gives them as Go durations). */
function hashMeaning(h: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(h)) {
    const key = k === 'SourceIP' ? 'sourceIP' : k.charAt(0).toLowerCase() + k.slice(1);
    if (key === 'cookieConfig' && v && typeof v === 'object') {
      const c = v as Obj;
      out.cookieConfig = {
        ...(c.Session ? { session: true } : {}),
        // time.Duration marshals as nanoseconds here (no custom marshaller on CookieConfig).
        ...(c.TTL ? { ttlMs: typeof c.TTL === 'number' ? c.TTL / 1e6 : goDurationMs(String(c.TTL)) } : {}),
        ...(c.Path ? { path: c.Path } : {}),
      };
    } else if (v !== false && v !== '' && v !== null) out[key] = v;
  }
  return out;
}
