/**
 * gRPC back from VirtualService HTTP routes. A gRPC call is an HTTP/2 POST to
 * `/<service>/<method>`, and the Istio compile writes a gRPC match as that path
 * (routing-grpc.ts, after istio/istio pilot/pkg/config/kube/gateway/conversion.go
 * `createGRPCURIMatch`): exact `/<service>/<method>`, prefix `/<service>/`, regex `/[^/]+/<method>`.
 * Istio itself knows a port is gRPC from the Service (import-services.ts), so:
 * - a Service in the input that declares the policy's port(s) gRPC makes the policy `protocol:
 *   grpc`, and a path that is not a gRPC call is reported (AM4116: imported as an HTTP policy);
 * - a Service that declares another protocol keeps the policy HTTP, its paths paths;
 * - without the Service, a policy whose every path is a gRPC call with a package-qualified service
 *   (`shop.Cart`: protobuf services live in packages, while an HTTP path such as /v1/items would
 *   also fit the bare pattern) and that has no method or query condition (a gRPC call is always a
 *   POST and has none) is read as gRPC, and an info note (AM4120) says why.
 * Retry conditions such as `unavailable` are not taken as evidence: a neutral HTTP policy may
 * carry them too. An HTTP/2 upgrade (an http2 policy) and a path rewrite keep the policy HTTP.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { IstioReader, Obj } from './import-reader.js';
import type { Entry, RouteIR } from './import-route.js';
import type { ServicePorts } from './import-services.js';
import { ISTIO_MESSAGES } from './messages.js';

/** GRPCRoute's patterns for a method match (gateway-api v1.6.1 grpcroutes CRD, Exact type). */
const SERVICE = '\\.?[A-Za-z_][A-Za-z_0-9]*(?:\\.[A-Za-z_][A-Za-z_0-9]*)*';
const QUALIFIED = '\\.?[A-Za-z_][A-Za-z_0-9]*(?:\\.[A-Za-z_][A-Za-z_0-9]*)+';
const METHOD = '[A-Za-z_][A-Za-z_0-9]*';

/** The neutral gRPC match of an Istio uri match (as the compile writes one), or undefined. */
export function grpcOfPath(path: Obj, qualified: boolean): Obj | undefined {
  const svc = qualified ? QUALIFIED : SERVICE;
  const [kind, value] = Object.entries(path)[0] ?? [];
  if (typeof value !== 'string' || Object.keys(path).length !== 1) return undefined;
  if (kind === 'exact') {
    const m = new RegExp(`^/(${svc})/(${METHOD})$`).exec(value);
    return m ? { service: m[1], method: m[2] } : undefined;
  }
  if (kind === 'prefix') {
    const m = new RegExp(`^/(${svc})/$`).exec(value);
    return m ? { service: m[1] } : undefined;
  }
  if (kind === 'regex') {
    // The method-only form has no service, so no package to look for.
    const m = new RegExp(`^/\\[\\^/\\]\\+/(${METHOD})$`).exec(value);
    return m ? { method: m[1] } : undefined;
  }
  return undefined;
}

/** The one port every entry of the routes names, as import-routing.ts factors it (else undefined). */
function portOf(routes: readonly RouteIR[]): number | undefined {
  const ports = new Set(
    routes.flatMap((x) => (x.entries ?? [{ scope: {} } as Entry]).map((e) => e.scope.port)),
  );
  return ports.size === 1 ? [...ports][0] : undefined;
}

/** The entry's match with its path as a gRPC match, or a reason why it is no gRPC call. */
function asGrpc(e: Entry, qualified: boolean): { match: Obj } | { why: string; field: string } {
  for (const field of ['method', 'queryParams'] as const)
    if (e.match[field] !== undefined)
      return { why: `a ${field === 'method' ? 'method' : 'query parameter'} condition`, field };
  const { path, ...rest } = e.match;
  if (path === undefined) return { match: e.match };
  const grpc = grpcOfPath(path as Obj, qualified);
  if (!grpc) return { why: `path ${JSON.stringify(Object.values(path as Obj)[0])}`, field: 'uri' };
  return { match: { grpc, ...rest } };
}

/**
 * The routes of one HTTP policy with their paths as gRPC matches when the policy is gRPC (see the
 * head comment), or undefined when it stays HTTP.
 */
export function grpcRoutes(
  routes: readonly RouteIR[],
  at: { namespace: string; service: string },
  ports: ServicePorts,
  r: IstioReader,
): RouteIR[] | undefined {
  if (routes.some((x) => x.rewritesPath)) return undefined;
  const declared = ports.declared(at.namespace, at.service, portOf(routes));
  const declaredGrpc = !!declared?.length && declared.every((d) => d.grpc);
  if (declared?.some((d) => d.path !== undefined && !d.grpc)) {
    ports.markRead(declared.filter((d) => d.path !== undefined));
    return undefined;
  }
  const qualified = !declaredGrpc;
  let paths = 0;
  const out: RouteIR[] = [];
  for (const x of routes) {
    const entries: Entry[] = [];
    for (const e of x.entries ?? []) {
      const g = asGrpc(e, qualified);
      if ('why' in g) {
        if (declaredGrpc) {
          const d = declared![0]!;
          r.changed(
            x.vs,
            [...e.path, g.field],
            `Service ${d.service.object.metadata.name} declares port ${d.port} gRPC (${d.text}), but ${g.why} is not a gRPC call (/<package.Service>/<Method>); the policy is imported as protocol http`,
          );
          ports.markRead(declared!);
        }
        return undefined;
      }
      if (e.match.path !== undefined) paths++;
      entries.push({ ...e, match: g.match });
    }
    out.push(x.entries ? { ...x, entries } : x);
  }
  if (declaredGrpc) {
    ports.markRead(declared!);
    return out;
  }
  if (!paths) return undefined;
  const first = routes.flatMap((x) => x.entries ?? []).find((e) => e.match.path !== undefined)!;
  const vs = routes.find((x) => x.entries?.includes(first))!.vs;
  const shown = routes
    .flatMap((x) => x.entries ?? [])
    .map((e) => Object.values((e.match.path as Obj | undefined) ?? {})[0])
    .filter((p, i, all) => p !== undefined && all.indexOf(p) === i);
  r.ledger.note(
    makeDiagnostic(
      ISTIO_MESSAGES.ImportGrpcFromPaths,
      { service: at.service, paths: shown.slice(0, 3).join(', ') + (shown.length > 3 ? ', ...' : '') },
      r.ledger.at(vs, [...first.path, 'uri']),
    ),
  );
  return out;
}

/**
 * Neutral rules read from Gateway API HTTPRoute matches with their paths as gRPC matches, when the
 * route is a gRPC policy's (head comment: every path a gRPC call with a package-qualified service,
 * no method or query condition; with `needPaths`, at least one path), else undefined.
 */
export function grpcRules(rules: readonly Obj[], needPaths: boolean): Obj[] | undefined {
  let paths = 0;
  const out: Obj[] = [];
  for (const rule of rules) {
    const matches: Obj[] = [];
    for (const m of (rule.matches as Obj[] | undefined) ?? []) {
      if (m.method !== undefined || m.queryParams !== undefined) return undefined;
      const { path, ...rest } = m;
      if (path === undefined) {
        matches.push(m);
        continue;
      }
      const grpc = grpcOfPath(path as Obj, true);
      if (!grpc) return undefined;
      paths++;
      matches.push({ grpc, ...rest });
    }
    out.push(rule.matches ? { ...rule, matches } : rule);
  }
  return paths || !needPaths ? out : undefined;
}
