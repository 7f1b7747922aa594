/**
 * VirtualService `tcp[]` routes -> TCP TrafficPolicies (`protocol: tcp`), the inverse of
 * routing-tcp.ts, and the TCP idle timeout of the DestinationRule's top-level
 * `trafficPolicy.connectionPool.tcp.idleTimeout` -> the policies' `rules[0].timeout`.
 *
 * Istio takes the first tcp route whose match holds (istio/istio pilot/pkg/networking/core/
 * networkfilter.go, tcp routes in order; match entries ORed, fields ANDed). A neutral TCP policy is
 * one port (or all) and its callers, and only its first rule is reached, so:
 * - a route's match entries are split by port, each port's entries being one policy's callers;
 * - consecutive routes with the same match are one policy's rules (the compile writes one route per
 *   rule), while a later route every connection of which an earlier one takes is never reached and
 *   is reported;
 * - `destinationSubnets`, `sourceSubnet` and gateways other than `mesh` have no neutral form: the
 *   route is left out (imported without the condition, it would take connections of the routes
 *   after it), and reported.
 * The idle timeout holds for every TCP connection to the service in istiod (only the top-level
 * one reaches the tcp_proxy), and it is also the upstream idle timeout of the service's HTTP
 * connection pools when no http.idleTimeout is set (cluster_traffic_policy.go applyConnectionPool):
 * reported (AM4116) when HTTP routes of the service were imported too.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { neutralDuration, serviceOfHost } from '../kit/import-kit.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';
import { type Entry, type RouteIR, readBackends, type Scope } from './import-route.js';
import type { Subsets } from './import-subsets.js';

/** One neutral TCP policy's routes: same port and callers, in order. */
export interface TcpBucket {
  readonly routes: RouteIR[];
  /** Sources 2, port 1: the compile's order of a service's policies (routing.ts specificity). */
  readonly specificity: number;
}

const scopeKey = (e: Entry) =>
  JSON.stringify([e.scope.port ?? null, e.scope.labels ?? null, e.scope.namespace ?? null]);
const signature = (x: RouteIR) => JSON.stringify((x.entries ?? []).map(scopeKey));

/** Whether entry `a` takes every connection entry `b` matches. */
function covers(a: Scope, b: Scope): boolean {
  if (a.port !== undefined && a.port !== b.port) return false;
  if (a.namespace !== undefined && a.namespace !== b.namespace) return false;
  return Object.entries(a.labels ?? {}).every(([k, v]) => b.labels?.[k] === v);
}

const matchAll: Scope = {};

/** The tcp routes of `vs` for `self`, as buckets of one policy each (reports what has no form). */
export function readTcpRoutes(
  vs: NativeObject,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
): TcpBucket[] {
  const out: RouteIR[] = [];
  const earlier: { scopes: Scope[]; index: number; sig: string }[] = [];
  const routes = r.ledger.peek<unknown>(vs, ['spec', 'tcp']);
  if (routes !== undefined && !Array.isArray(routes)) {
    r.lost(vs, ['spec', 'tcp'], 'tcp is not a list of routes');
    return [];
  }
  (Array.isArray(routes) ? routes : []).forEach((_route, index) => {
    const base: FieldPath = ['spec', 'tcp', index];
    r.rest(vs, base, ['match', 'route'], 'tcp route');
    const given = r.ledger.peek<unknown>(vs, [...base, 'match']);
    const matches = Array.isArray(given) ? (given as Obj[]) : undefined;
    if (given !== undefined && !matches) {
      r.lost(vs, base, 'match is not a list of match entries, so the route is left out');
      return;
    }
    const entries: Entry[] = [];
    let whole = true;
    (matches ?? []).forEach((_m, j) => {
      const e = readTcpMatch(vs, [...base, 'match', j], r);
      if (e) entries.push(e);
      else whole = false;
    });
    if (!whole) {
      r.lost(vs, base, 'a condition of this route has no neutral form (above), so the route is left out');
      return;
    }
    const scopes = matches?.length ? entries.map((e) => e.scope) : [matchAll];
    const sig = JSON.stringify(entries.map(scopeKey));
    const before = earlier.find((p) => scopes.every((s) => p.scopes.some((q) => covers(q, s))));
    // The same match as the route just before: the next rule of one policy (reached in neither).
    const last = earlier[earlier.length - 1];
    const sameAsPrevious = last?.index === index - 1 && last.sig === sig;
    if (before && !sameAsPrevious) {
      r.lost(vs, base, `never reached: tcp[${before.index}] before it takes every connection it matches`);
      return;
    }
    earlier.push({ scopes, index, sig });
    const selfPorts: RouteIR['selfPorts'] = [];
    const used: string[] = [];
    const backends = readBackends(base, vs, [...base, 'route'], self, subsets, r, selfPorts, used);
    if (!backends) return;
    const rule: Obj = backends.length ? { backends } : {};
    // One neutral policy per port the entries name (a policy governs one port, or all).
    const ports = [...new Set(entries.map((e) => e.scope.port))];
    if (!matches?.length || ports.length <= 1)
      out.push({ vs, index, ...(matches?.length ? { entries } : {}), rule, selfPorts, subsets: used });
    else {
      // Split by port, a lone destination to the service itself on a port is that port for every
      // policy: a service backend with the port says so exactly (and compiles to the same).
      const lone = !backends.length && selfPorts.length === 1 && !used.length ? selfPorts[0] : undefined;
      if (lone) r.ledger.take(vs, lone.path);
      const split = lone ? { backends: [{ service: self.service, port: lone.port }] } : rule;
      for (const port of ports)
        out.push({
          vs,
          index,
          entries: entries.filter((e) => e.scope.port === port),
          rule: split,
          // Else every port's policy checks the destination port against its own (import-routing.ts).
          selfPorts: lone ? [] : selfPorts,
          subsets: used,
        });
    }
  });
  const buckets: TcpBucket[] = [];
  for (const x of out) {
    const last = buckets[buckets.length - 1];
    const prev = last?.routes[last.routes.length - 1];
    if (last && prev && prev.index === x.index - 1 && signature(prev) === signature(x)) last.routes.push(x);
    else {
      const es = x.entries ?? [];
      const scoped = es.some((e) => e.scope.labels || e.scope.namespace);
      const port = es.length > 0 && es.every((e) => e.scope.port !== undefined);
      buckets.push({ routes: [x], specificity: (scoped ? 2 : 0) + (port ? 1 : 0) });
    }
  }
  return buckets;
}

function readTcpMatch(vs: NativeObject, at: FieldPath, r: IstioReader): Entry | undefined {
  r.rest(
    vs,
    at,
    ['port', 'sourceLabels', 'sourceNamespace', 'gateways', 'destinationSubnets', 'sourceSubnet'],
    'tcp match',
  );
  const m = r.ledger.peek<Obj>(vs, at) ?? {};
  let ok = true;
  for (const k of ['destinationSubnets', 'sourceSubnet'])
    if (m[k] !== undefined) {
      r.lost(vs, [...at, k], `${k}: a neutral TCP policy matches callers by labels and namespace, not by IP`);
      ok = false;
    }
  const gateways = m.gateways as unknown[] | undefined;
  if (gateways !== undefined) {
    if (gateways.length === 1 && gateways[0] === 'mesh') r.ledger.take(vs, [...at, 'gateways']);
    else {
      r.lost(vs, [...at, 'gateways'], 'a match for gateways: neutral policies govern calls inside the mesh');
      ok = false;
    }
  }
  if (!Object.keys(m).length) r.ledger.take(vs, at);
  if (!ok) return undefined;
  const scope: Scope = {};
  if (m.sourceLabels !== undefined) scope.labels = m.sourceLabels as Record<string, string>;
  if (m.sourceNamespace !== undefined) scope.namespace = m.sourceNamespace as string;
  if (m.port !== undefined) scope.port = m.port as number;
  return { match: {}, scope, path: at };
}

/** The top-level idle timeout of a DestinationRule, where it is. */
export interface IdleTimeout {
  readonly o: NativeObject;
  readonly path: FieldPath;
  readonly value: string;
  used: boolean;
  withHttp: boolean;
}

export const IDLE_AT: FieldPath = ['spec', 'trafficPolicy', 'connectionPool', 'tcp', 'idleTimeout'];

/** The idle timeouts of the input's DestinationRules, by `namespace/service` (read, not taken). */
export function readIdleTimeouts(objects: readonly NativeObject[], r: IstioReader): Map<string, IdleTimeout> {
  const out = new Map<string, IdleTimeout>();
  for (const o of objects.filter((x) => isKind(x, 'DestinationRule'))) {
    // A port's idle timeout never reaches the tcp_proxy (routing-tcp.ts): it says nothing of TCP
    // connections, and only an HTTP upstream idle timeout, which neutral policies do not set.
    const perPort = r.ledger.peek<unknown>(o, ['spec', 'trafficPolicy', 'portLevelSettings']);
    (Array.isArray(perPort) ? perPort : []).forEach((e, i) => {
      const entry = ['spec', 'trafficPolicy', 'portLevelSettings', i];
      const leaf = [...entry, 'connectionPool', 'tcp', 'idleTimeout'];
      const idle = r.ledger.peek(o, leaf);
      if (idle === undefined) return;
      // An entry with nothing else is reported whole (its port says nothing without it).
      const { port, ...rest } = (e ?? {}) as Obj;
      const alone =
        JSON.stringify(rest) === JSON.stringify({ connectionPool: { tcp: { idleTimeout: idle } } });
      r.lost(
        o,
        alone ? entry : leaf,
        "a port's idle timeout: istiod gives a TCP proxy only the top-level one, and for HTTP it is the upstream connections' idle timeout, which no neutral policy says",
      );
    });
    const v = r.ledger.peek(o, IDLE_AT);
    if (v === undefined) continue;
    const host = r.ledger.peek<string>(o, ['spec', 'host']);
    const svc = host === undefined ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    if (!svc) continue;
    const d = neutralDuration(v);
    if (d === undefined || /^0+(ms|s|m|h)?$/.test(d)) {
      r.lost(
        o,
        IDLE_AT,
        d === undefined
          ? `duration ${JSON.stringify(v)} is not one anymesh can express (whole milliseconds)`
          : 'an idle timeout of 0 turns the timeout off, which a neutral TCP timeout cannot say',
      );
      continue;
    }
    const key = `${svc.namespace}/${svc.service}`;
    if (out.has(key)) continue;
    out.set(key, { o, path: IDLE_AT, value: d, used: false, withHttp: false });
  }
  return out;
}

/** Takes the idle timeouts the TCP policies took; the rest (no TCP route governs them) is reported. */
export function finishIdleTimeouts(all: ReadonlyMap<string, IdleTimeout>, r: IstioReader): void {
  for (const t of all.values()) {
    if (!t.used) {
      r.lost(
        t.o,
        t.path,
        'a TCP idle timeout for connections no imported VirtualService tcp route governs: a neutral policy says timeout only for the connections it routes',
      );
      continue;
    }
    r.ledger.take(t.o, ['spec', 'host']);
    r.ledger.take(t.o, t.path);
    if (t.withHttp)
      r.changed(
        t.o,
        t.path,
        "it is also the upstream idle timeout of the service's HTTP connections (no http.idleTimeout), which the imported HTTP policies do not say",
      );
  }
}
