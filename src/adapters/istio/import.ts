/**
 * Istio -> neutral (`anymesh import --from istio`): VirtualService + DestinationRule subsets ->
 * TrafficPolicy, AuthorizationPolicy -> AccessPolicy, PeerAuthentication -> MTLSPolicy.
 *
 * Field meanings are Istio's reference (istio.io/latest/docs/reference/config/networking/
 * virtual-service/, destination-rule/, security/authorization-policy/, peer_authentication/):
 * short hosts resolve in the object's namespace; `match[]` entries are ORed, fields inside one
 * are ANDed; a single destination takes all traffic; `gateways` defaults to `mesh`; ALLOW is the
 * default action. What anymesh produced is split back into its source policies by the route names
 * (`<policy>.<rule>`) and the `anymesh.dev/source-policies` annotation.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import {
  FieldLedger,
  type ImportContext,
  type ImportedPolicy,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { GRPC_CODES, HTTP_METHODS, RETRY_ON } from '../../core/model/schema.js';
import {
  type ImportedMeta,
  isDnsLabel,
  neutralDuration,
  neutralMetadata,
  neutralPolicy,
  serviceOfHost,
  splitRouteName,
  takeMetadata,
} from '../kit/import-kit.js';
import { importSecurity } from './import-security.js';
import { ISTIO_MESSAGES } from './messages.js';

type Obj = Record<string, unknown>;
const NETWORKING = 'networking.istio.io/';
const SECURITY = 'security.istio.io/';

/** The Istio kinds this importer reads, by API group. */
const IMPORTED: Record<string, string> = {
  VirtualService: NETWORKING,
  DestinationRule: NETWORKING,
  AuthorizationPolicy: SECURITY,
  PeerAuthentication: SECURITY,
};

export function isKind(o: NativeObject, kind: string): boolean {
  return o.object.kind === kind && o.object.apiVersion.startsWith(IMPORTED[kind] ?? '\0');
}

/** The importer's reporting, bound to one ledger. */
export class IstioReader {
  constructor(
    readonly ledger: FieldLedger,
    readonly ctx: ImportContext,
  ) {}
  /** A field with no neutral form. */
  lost(o: NativeObject, path: FieldPath, reason: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(ISTIO_MESSAGES.ImportNoNeutralForm, { reason }, at));
  }
  /** A field imported into a form that behaves differently. */
  changed(o: NativeObject, path: FieldPath, how: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(ISTIO_MESSAGES.ImportMeaningChanges, { how }, at));
  }
  /** Every key of the mapping at `path` not in `known` is reported as having no neutral form. */
  rest(o: NativeObject, path: FieldPath, known: readonly string[], what: string): void {
    const v = this.ledger.peek<Obj>(o, path);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    for (const k of Object.keys(v))
      if (!known.includes(k)) this.lost(o, [...path, k], `${what} field ${k} has no neutral form`);
  }
}

export function importIstio(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new IstioReader(ledger, ctx);
  const policies: ImportedPolicy[] = [
    ...importRouting(objects, r),
    ...importSecurity(
      objects.filter((o) => isKind(o, 'AuthorizationPolicy') || isKind(o, 'PeerAuthentication')),
      r,
    ),
  ];
  return ledger.finish(objects, { policies: sortImported(policies) }, (o) =>
    Object.keys(IMPORTED).some((k) => isKind(o, k))
      ? undefined
      : o.object.apiVersion.startsWith(NETWORKING) || o.object.apiVersion.startsWith(SECURITY)
        ? `Istio ${o.object.kind} has no neutral form (gateways, service entries, sidecars and the like describe the mesh, not calls to a service)`
        : `${o.object.apiVersion} ${o.object.kind} is not an Istio policy object`,
  );
}

// ---- DestinationRule -> versions ------------------------------------------------------------

interface Subsets {
  readonly versions: Map<string, Record<string, string>>;
  readonly rules: NativeObject[];
}

function readDestinationRules(objects: readonly NativeObject[], r: IstioReader): Map<string, Subsets> {
  const out = new Map<string, Subsets>();
  for (const o of objects.filter((x) => isKind(x, 'DestinationRule'))) {
    takeMetadata(r.ledger, o);
    const host = r.ledger.peek<string>(o, ['spec', 'host']);
    const svc = host === undefined ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    const auto = takeAutoMtls(o, ['spec', 'trafficPolicy'], r) ? ['trafficPolicy'] : [];
    r.rest(o, ['spec'], ['host', 'subsets', ...auto], 'DestinationRule');
    if (!svc) {
      r.lost(
        o,
        ['spec'],
        `host ${host} is not a Service of this cluster, and neutral policies govern Services`,
      );
      continue;
    }
    const key = `${svc.namespace}/${svc.service}`;
    const entry: Subsets = out.get(key) ?? { versions: new Map(), rules: [] };
    entry.rules.push(o);
    out.set(key, entry);
    const subsets = r.ledger.peek<Obj[]>(o, ['spec', 'subsets']) ?? [];
    subsets.forEach((s, i) => {
      const at = ['spec', 'subsets', i];
      const auto = takeAutoMtls(o, [...at, 'trafficPolicy'], r) ? ['trafficPolicy'] : [];
      r.rest(o, at, ['name', 'labels', ...auto], 'subset');
      const labels = s.labels as Record<string, string> | undefined;
      if (typeof s.name !== 'string' || !labels || Object.keys(labels).length === 0) {
        r.lost(o, at, 'a subset without labels selects every pod, which a neutral version cannot say');
        return;
      }
      r.ledger.take(o, [...at, 'name']);
      r.ledger.take(o, [...at, 'labels']);
      entry.versions.set(s.name, labels);
    });
    if (subsets.length) r.ledger.take(o, ['spec', 'host']);
  }
  return out;
}

/**
 * `trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}` and nothing else is what auto mTLS does anyway
 * (Istio reference, destination-rule ClientTLSSettings: ISTIO_MUTUAL uses the mesh certificates),
 * so it is taken as the default it is; anything more is reported by the caller.
 */
function takeAutoMtls(o: NativeObject, at: FieldPath, r: IstioReader): boolean {
  const tp = r.ledger.peek<Obj>(o, at);
  const tls = tp?.tls as Obj | undefined;
  const auto =
    tp !== undefined &&
    Object.keys(tp).length === 1 &&
    tls !== undefined &&
    Object.keys(tls).length === 1 &&
    tls.mode === 'ISTIO_MUTUAL';
  if (auto) r.ledger.take(o, at);
  return auto;
}

// ---- VirtualService -> TrafficPolicy --------------------------------------------------------

/** Where a match entry applies: the policy-wide parts of an Istio match. */
interface Scope {
  labels?: Record<string, string>;
  namespace?: string;
  port?: number;
}

interface Entry {
  readonly match: Obj;
  readonly scope: Scope;
  readonly path: FieldPath;
}

interface RouteIR {
  readonly vs: NativeObject;
  readonly index: number;
  readonly name?: string;
  /** undefined: the route has no match (every request). */
  readonly entries?: Entry[];
  readonly rule: Obj;
  /** Destinations to self, with the path of their port (checked against spec.port later). */
  readonly selfPorts: { port: number; path: FieldPath }[];
  readonly subsets: string[];
}

interface Group {
  name: string;
  namespace: string;
  service: string;
  meta: ImportedMeta;
  routes: RouteIR[];
  from: Set<string>;
}

function importRouting(objects: readonly NativeObject[], r: IstioReader): ImportedPolicy[] {
  const subsets = readDestinationRules(objects, r);
  const groups = new Map<string, Group>();
  const hostOwners = new Map<string, NativeObject[]>();
  for (const vs of objects.filter((x) => isKind(x, 'VirtualService'))) {
    const meta = takeMetadata(r.ledger, vs);
    r.rest(vs, ['spec'], ['hosts', 'gateways', 'exportTo', 'http'], 'VirtualService');
    const exportTo = r.ledger.peek<string[]>(vs, ['spec', 'exportTo']);
    if (exportTo !== undefined) {
      if (exportTo.length === 1 && exportTo[0] === '*') r.ledger.take(vs, ['spec', 'exportTo']);
      else
        r.lost(
          vs,
          ['spec', 'exportTo'],
          `exportTo ${JSON.stringify(exportTo)} limits which namespaces see the routes; neutral policies apply to every caller (use sources to scope the rules)`,
        );
    }
    const gateways = r.ledger.peek<string[]>(vs, ['spec', 'gateways']);
    if (gateways !== undefined && !(gateways.length === 1 && gateways[0] === 'mesh')) {
      if (!gateways.includes('mesh')) {
        r.lost(
          vs,
          ['spec'],
          `bound to gateways ${gateways.join(', ')} only: neutral policies govern calls inside the mesh, not ingress`,
        );
        continue;
      }
      r.lost(vs, ['spec', 'gateways'], 'the routes also apply at gateways; only the mesh part is imported');
    } else if (gateways) r.ledger.take(vs, ['spec', 'gateways']);
    const hosts = r.ledger.peek<string[]>(vs, ['spec', 'hosts']);
    if (!hosts?.length) {
      r.lost(
        vs,
        ['spec'],
        'a delegate VirtualService (no hosts) applies only where a root VirtualService delegates to it, and neutral policies have no delegation',
      );
      continue;
    }
    const services: { service: string; namespace: string }[] = [];
    hosts.forEach((h, i) => {
      const svc = serviceOfHost(h, vs.namespace, r.ctx);
      if (!svc || svc.namespace !== vs.namespace) {
        r.lost(
          vs,
          ['spec', 'hosts', i],
          svc
            ? `host ${h} is a Service of namespace ${svc.namespace}; a neutral policy governs a Service of its own namespace`
            : `host ${h} is not a Service of this cluster (external or wildcard hosts have no neutral form)`,
        );
        return;
      }
      r.ledger.take(vs, ['spec', 'hosts', i]);
      services.push(svc);
    });
    if (!services.length) {
      r.lost(vs, ['spec'], 'no host of this VirtualService is a Service of its namespace');
      continue;
    }
    const owned = new Set(
      (meta.sources ?? [])
        .filter((s) => s.kind === 'TrafficPolicy' && s.namespace === vs.namespace)
        .map((s) => s.name),
    );
    for (const svc of services) {
      const owners = hostOwners.get(`${svc.namespace}/${svc.service}`) ?? [];
      owners.push(vs);
      hostOwners.set(`${svc.namespace}/${svc.service}`, owners);
      const routes = (r.ledger.peek<Obj[]>(vs, ['spec', 'http']) ?? []).flatMap((_, i) => {
        const ir = readRoute(vs, i, svc, subsets.get(`${svc.namespace}/${svc.service}`), r);
        return ir ? [ir] : [];
      });
      for (const route of routes) {
        const split = splitRouteName(route.name, [...owned]);
        const policyName = split?.policy ?? (services.length > 1 ? `${meta.name}-${svc.service}` : meta.name);
        const key = `${svc.namespace}/${policyName}`;
        const group = groups.get(key) ?? {
          name: policyName,
          namespace: svc.namespace,
          service: svc.service,
          meta,
          routes: [],
          from: new Set<string>(),
        };
        group.routes.push(split ? { ...route, name: split.rule } : route);
        group.from.add(vs.ref);
        groups.set(key, group);
      }
    }
  }
  for (const [host, owners] of hostOwners) {
    if (owners.length < 2) continue;
    for (const vs of owners.slice(1))
      r.ledger.report(vs, ['spec', 'hosts'], (at) =>
        makeDiagnostic(
          ISTIO_MESSAGES.ImportSharedHost,
          { names: owners.map((o) => o.object.metadata.name).join(', '), host: host.split('/')[1]! },
          at,
        ),
      );
  }
  const policies: ImportedPolicy[] = [];
  const versionsGiven = new Set<string>();
  for (const g of groups.values()) {
    const s = subsets.get(`${g.namespace}/${g.service}`);
    const usedByService = new Set(
      [...groups.values()]
        .filter((x) => x.namespace === g.namespace && x.service === g.service)
        .flatMap((x) => x.routes.flatMap((route) => route.subsets)),
    );
    const p = buildTrafficPolicy(g, s, versionsGiven, usedByService, r);
    if (p) policies.push(p);
  }
  // Subsets no VirtualService routes to: a policy with the versions and one rule to the service
  // itself, which is what the mesh does with them (default routing; the subsets stay defined).
  for (const [key, s] of subsets) {
    if (versionsGiven.has(key) || !s.versions.size) continue;
    const [namespace, service] = key.split('/') as [string, string];
    const dr = s.rules[0]!;
    const meta = takeMetadata(r.ledger, dr);
    const spec = {
      service,
      versions: Object.fromEntries([...s.versions.entries()].sort(([a], [b]) => a.localeCompare(b))),
      rules: [{ name: 'default' }],
    };
    policies.push(
      neutralPolicy(
        'TrafficPolicy',
        neutralMetadata(meta.sources?.[0]?.name ?? meta.name, namespace, meta.sources ? undefined : meta),
        spec,
        s.rules.map((x) => x.ref),
      ),
    );
  }
  return policies;
}

function readRoute(
  vs: NativeObject,
  index: number,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
): RouteIR | undefined {
  const base: FieldPath = ['spec', 'http', index];
  const route = r.ledger.peek<Obj>(vs, base)!;
  for (const k of ['delegate', 'redirect', 'directResponse']) {
    if (route[k] !== undefined) {
      r.lost(vs, base, `a route with ${k} has no neutral form (neutral rules route to services)`);
      return undefined;
    }
  }
  r.rest(
    vs,
    base,
    [
      'name',
      'match',
      'route',
      'timeout',
      'retries',
      'fault',
      'mirror',
      'mirrorPercentage',
      'mirrorPercent',
      'mirror_percent',
      'mirrors',
      'headers',
      'corsPolicy',
    ],
    'route',
  );
  const rule: Obj = {};
  const selfPorts: RouteIR['selfPorts'] = [];
  const used: string[] = [];
  // Destinations.
  const dests = r.ledger.peek<Obj[]>(vs, [...base, 'route']) ?? [];
  const backends: Obj[] = [];
  let failed = false;
  dests.forEach((_d, i) => {
    const at = [...base, 'route', i];
    r.rest(vs, at, ['destination', 'weight'], 'route destination');
    const b = readDestination(vs, [...at, 'destination'], self, subsets, r, selfPorts, used);
    if (!b) {
      failed = true;
      return;
    }
    if (dests.length > 1) {
      const w = r.ledger.take<number>(vs, [...at, 'weight']);
      b.weight = w ?? 0;
    } else {
      const w = r.ledger.peek<number>(vs, [...at, 'weight']);
      if (w === undefined || w === 100) r.ledger.take(vs, [...at, 'weight']);
      else
        r.changed(vs, [...at, 'weight'], `a single destination takes all traffic whatever its weight (${w})`);
    }
    backends.push(b);
  });
  if (failed) {
    r.lost(vs, base, 'a destination of this route cannot be imported (see above), so the route is left out');
    return undefined;
  }
  if (dests.length > 1) {
    const sum = backends.reduce((n, b) => n + (b.weight as number), 0);
    if (sum !== 100) {
      r.lost(vs, [...base, 'route'], `the weights sum to ${sum}; neutral weights sum to 100`);
      return undefined;
    }
  }
  // One destination, the service itself: the neutral default (no backends), whose port is spec.port.
  const lone = backends.length === 1 ? backends[0]! : undefined;
  const onlySelf = lone?.service === self.service && lone.namespace === undefined;
  if (onlySelf && lone.port !== undefined)
    selfPorts.push({
      port: lone.port as number,
      path: [...base, 'route', 0, 'destination', 'port', 'number'],
    });
  if (backends.length && !onlySelf) rule.backends = backends;
  // Timeout and retries.
  timeoutOf(vs, base, rule, r);
  retriesOf(vs, base, rule, r);
  faultOf(vs, base, rule, r);
  mirrorOf(vs, base, rule, self, subsets, r, used, selfPorts);
  const headers = r.ledger.peek<Obj>(vs, [...base, 'headers']);
  if (headers) {
    r.rest(vs, [...base, 'headers'], ['request', 'response'], 'headers');
    for (const which of ['request', 'response'] as const) {
      const ops = r.ledger.peek<Obj>(vs, [...base, 'headers', which]);
      if (!ops) continue;
      r.rest(vs, [...base, 'headers', which], ['set', 'add', 'remove'], 'header operation');
      const out: Obj = {};
      for (const op of ['set', 'add', 'remove'])
        if (ops[op] !== undefined) out[op] = r.ledger.take(vs, [...base, 'headers', which, op]);
      if (Object.keys(out).length) rule[`${which}Headers`] = out;
    }
  }
  corsOf(vs, base, rule, r);
  // Matches last: their scope parts are factored per policy.
  const matches = r.ledger.peek<Obj[]>(vs, [...base, 'match']);
  const entries = matches?.map((_, j) => readMatch(vs, [...base, 'match', j], r));
  const name = r.ledger.peek<string>(vs, [...base, 'name']);
  if (name !== undefined) r.ledger.take(vs, [...base, 'name']);
  return {
    vs,
    index,
    ...(name !== undefined ? { name } : {}),
    ...(entries ? { entries } : {}),
    rule,
    selfPorts,
    subsets: used,
  };
}

function readDestination(
  vs: NativeObject,
  at: FieldPath,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
  selfPorts: RouteIR['selfPorts'],
  used: string[],
): Obj | undefined {
  r.rest(vs, at, ['host', 'subset', 'port'], 'destination');
  const host = r.ledger.peek<string>(vs, [...at, 'host']);
  const svc = host === undefined ? undefined : serviceOfHost(host, vs.namespace, r.ctx);
  if (!svc) {
    r.lost(vs, [...at, 'host'], `host ${host} is not a Service of this cluster`);
    return undefined;
  }
  r.ledger.take(vs, [...at, 'host']);
  const port = r.ledger.peek<number>(vs, [...at, 'port', 'number']);
  r.rest(vs, [...at, 'port'], ['number'], 'destination port');
  const subset = r.ledger.peek<string>(vs, [...at, 'subset']);
  if (svc.service === self.service && svc.namespace === self.namespace) {
    if (subset === undefined) {
      // The service itself without a subset: a service backend (its port is the backend's own).
      if (port !== undefined) r.ledger.take(vs, [...at, 'port', 'number']);
      return { service: self.service, ...(port !== undefined ? { port } : {}) };
    }
    if (port !== undefined) selfPorts.push({ port, path: [...at, 'port', 'number'] });
    if (!subsets?.versions.has(subset)) {
      r.lost(vs, [...at, 'subset'], `subset ${subset} is not defined by a DestinationRule for ${host}`);
      return undefined;
    }
    r.ledger.take(vs, [...at, 'subset']);
    used.push(subset);
    return { version: subset };
  }
  if (subset !== undefined) {
    r.lost(
      vs,
      [...at, 'subset'],
      `subset ${subset} of another service: a neutral backend names a whole service`,
    );
    return undefined;
  }
  if (port !== undefined) r.ledger.take(vs, [...at, 'port', 'number']);
  return {
    service: svc.service,
    ...(svc.namespace !== self.namespace ? { namespace: svc.namespace } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function durationField(vs: NativeObject, at: FieldPath, r: IstioReader): string | undefined {
  const v = r.ledger.peek<string>(vs, at);
  if (v === undefined) return undefined;
  const d = neutralDuration(v);
  if (d === undefined)
    r.lost(vs, at, `duration ${JSON.stringify(v)} is not one anymesh can express (whole milliseconds)`);
  else r.ledger.take(vs, at);
  return d;
}

function timeoutOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const t = durationField(vs, [...base, 'timeout'], r);
  if (t !== undefined) rule.timeout = t;
}

function retriesOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'retries'];
  const retries = r.ledger.peek<Obj>(vs, at);
  if (!retries) return;
  r.rest(vs, at, ['attempts', 'perTryTimeout', 'retryOn', 'backoff'], 'retries');
  const attempts = r.ledger.peek<number>(vs, [...at, 'attempts']);
  if (!attempts || attempts < 1) {
    r.lost(
      vs,
      at,
      'retries with attempts 0 turn retries off; a neutral policy without retries keeps the mesh default',
    );
    return;
  }
  r.ledger.take(vs, [...at, 'attempts']);
  const out: Obj = { attempts };
  const perTry = durationField(vs, [...at, 'perTryTimeout'], r);
  if (perTry !== undefined) out.perTryTimeout = perTry;
  const on = r.ledger.peek<string>(vs, [...at, 'retryOn']);
  if (on !== undefined) {
    const conditions = on
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const known = conditions.filter(
      (c) => (RETRY_ON as readonly string[]).includes(c) || /^[1-5]\d\d$/.test(c),
    );
    const unknown = conditions.filter((c) => !known.includes(c));
    if (unknown.length)
      r.changed(
        vs,
        [...at, 'retryOn'],
        `retry conditions ${unknown.join(', ')} have no neutral form and are left out`,
      );
    else r.ledger.take(vs, [...at, 'retryOn']);
    if (known.length) out.retryOn = known;
  }
  const backoff = durationField(vs, [...at, 'backoff'], r);
  if (backoff !== undefined) out.backoff = { base: backoff };
  rule.retries = out;
}

function percentageOf(vs: NativeObject, at: FieldPath, r: IstioReader): number | undefined {
  const value = r.ledger.peek<number>(vs, [...at, 'percentage', 'value']);
  if (value !== undefined) {
    r.rest(vs, [...at, 'percentage'], ['value'], 'percentage');
    r.ledger.take(vs, [...at, 'percentage', 'value']);
    return value;
  }
  const percent = r.ledger.peek<number>(vs, [...at, 'percent']);
  if (percent !== undefined) r.ledger.take(vs, [...at, 'percent']);
  return percent;
}

function faultOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'fault'];
  const fault = r.ledger.peek<Obj>(vs, at);
  if (!fault) return;
  r.rest(vs, at, ['delay', 'abort'], 'fault');
  const out: Obj = {};
  if (fault.delay) {
    const d = [...at, 'delay'];
    r.rest(vs, d, ['fixedDelay', 'percentage', 'percent'], 'fault delay');
    const duration = durationField(vs, [...d, 'fixedDelay'], r);
    const percentage = percentageOf(vs, d, r);
    if (duration !== undefined && percentage !== undefined) out.delay = { duration, percentage };
    else if (duration !== undefined) r.lost(vs, d, 'a delay without a percentage');
  }
  if (fault.abort) {
    const a = [...at, 'abort'];
    r.rest(vs, a, ['httpStatus', 'grpcStatus', 'percentage', 'percent'], 'fault abort');
    const status = r.ledger.take<number>(vs, [...a, 'httpStatus']);
    const grpc = r.ledger.peek<string>(vs, [...a, 'grpcStatus']);
    if (grpc !== undefined && !(GRPC_CODES as readonly string[]).includes(grpc))
      r.lost(vs, [...a, 'grpcStatus'], `gRPC status ${grpc} is not a gRPC code name`);
    else if (grpc !== undefined) r.ledger.take(vs, [...a, 'grpcStatus']);
    const percentage = percentageOf(vs, a, r);
    const ok =
      status !== undefined || (grpc !== undefined && (GRPC_CODES as readonly string[]).includes(grpc));
    if (ok && percentage !== undefined)
      out.abort = { ...(status !== undefined ? { status } : { grpcStatus: grpc }), percentage };
    else if (ok) r.lost(vs, a, 'an abort without a percentage');
  }
  if (Object.keys(out).length) rule.fault = out;
}

function mirrorOf(
  vs: NativeObject,
  base: FieldPath,
  rule: Obj,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
  used: string[],
  selfPorts: RouteIR['selfPorts'],
): void {
  const mirrors = r.ledger.peek<Obj[]>(vs, [...base, 'mirrors']);
  if (mirrors?.length) {
    mirrors
      .slice(1)
      .forEach((_, i) =>
        r.lost(
          vs,
          [...base, 'mirrors', i + 1],
          'a neutral rule mirrors to one backend; further mirrors are left out',
        ),
      );
    const at = [...base, 'mirrors', 0];
    r.rest(vs, at, ['destination', 'percentage'], 'mirror');
    const backend = readDestination(vs, [...at, 'destination'], self, subsets, r, selfPorts, used);
    const percentage = percentageOf(vs, at, r);
    if (backend) rule.mirror = { backend, ...(percentage !== undefined ? { percentage } : {}) };
    return;
  }
  if (r.ledger.peek(vs, [...base, 'mirror'])) {
    const backend = readDestination(vs, [...base, 'mirror'], self, subsets, r, selfPorts, used);
    let percentage = r.ledger.take<number>(vs, [...base, 'mirrorPercentage', 'value']);
    r.rest(vs, [...base, 'mirrorPercentage'], ['value'], 'mirrorPercentage');
    for (const legacy of ['mirrorPercent', 'mirror_percent'])
      percentage ??= r.ledger.take<number>(vs, [...base, legacy]);
    if (backend) rule.mirror = { backend, ...(percentage !== undefined ? { percentage } : {}) };
  }
}

function corsOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'corsPolicy'];
  const cors = r.ledger.peek<Obj>(vs, at);
  if (!cors) return;
  r.rest(
    vs,
    at,
    [
      'allowOrigins',
      'allowOrigin',
      'allowMethods',
      'allowHeaders',
      'exposeHeaders',
      'maxAge',
      'allowCredentials',
    ],
    'corsPolicy',
  );
  const origins: Obj[] = [];
  (r.ledger.peek<Obj[]>(vs, [...at, 'allowOrigins']) ?? []).forEach((_o, i) => {
    const m = stringMatch(vs, [...at, 'allowOrigins', i], r, ['exact', 'prefix', 'regex']);
    if (m) origins.push(m);
  });
  (r.ledger.peek<string[]>(vs, [...at, 'allowOrigin']) ?? []).forEach((o, i) => {
    r.ledger.take(vs, [...at, 'allowOrigin', i]);
    origins.push({ exact: o });
  });
  if (!origins.length) {
    r.lost(vs, at, 'a CORS policy without allowed origins');
    return;
  }
  const out: Obj = { allowOrigins: origins };
  for (const k of ['allowMethods', 'allowHeaders', 'exposeHeaders', 'allowCredentials']) {
    const v = r.ledger.take(vs, [...at, k]);
    if (v !== undefined) out[k] = v;
  }
  const maxAge = durationField(vs, [...at, 'maxAge'], r);
  if (maxAge !== undefined) out.maxAge = maxAge;
  rule.cors = out;
}

/** An Istio StringMatch in the kinds the neutral field allows, or undefined (reported). */
function stringMatch(
  vs: NativeObject,
  at: FieldPath,
  r: IstioReader,
  kinds: readonly string[],
): Obj | undefined {
  const m = r.ledger.peek<Obj>(vs, at) ?? {};
  const keys = Object.keys(m);
  if (keys.length !== 1 || !kinds.includes(keys[0]!)) {
    r.lost(
      vs,
      at,
      `a ${keys.join('/') || 'empty'} match; the neutral field takes one of ${kinds.join(', ')}`,
    );
    return undefined;
  }
  r.ledger.take(vs, at);
  return { [keys[0]!]: m[keys[0]!] };
}

function readMatch(vs: NativeObject, at: FieldPath, r: IstioReader): Entry {
  r.rest(
    vs,
    at,
    ['uri', 'method', 'headers', 'queryParams', 'port', 'sourceLabels', 'sourceNamespace', 'ignoreUriCase'],
    'match',
  );
  const m = r.ledger.peek<Obj>(vs, at)!;
  const match: Obj = {};
  if (m.uri !== undefined) {
    const path = stringMatch(vs, [...at, 'uri'], r, ['exact', 'prefix', 'regex']);
    if (path) match.path = path;
  }
  if (m.ignoreUriCase === true)
    r.changed(
      vs,
      [...at, 'ignoreUriCase'],
      'neutral path matches are case-sensitive, so /API no longer matches /api',
    );
  else if (m.ignoreUriCase !== undefined) r.ledger.take(vs, [...at, 'ignoreUriCase']);
  if (m.method !== undefined) {
    const method = (m.method as Obj).exact;
    if (
      typeof method === 'string' &&
      (HTTP_METHODS as readonly string[]).includes(method) &&
      Object.keys(m.method as Obj).length === 1
    ) {
      r.ledger.take(vs, [...at, 'method']);
      match.method = method;
    } else r.lost(vs, [...at, 'method'], 'a method match other than an exact HTTP method');
  }
  const headers: Obj[] = [];
  for (const [name, v] of Object.entries((m.headers as Obj | undefined) ?? {})) {
    const hat = [...at, 'headers', name];
    if (v && typeof v === 'object' && Object.keys(v).length === 0) {
      r.ledger.take(vs, hat);
      headers.push({ name, present: true });
    } else {
      const sm = stringMatch(vs, hat, r, ['exact', 'prefix', 'regex']);
      if (sm) headers.push({ name, ...sm });
    }
  }
  if (headers.length) match.headers = headers;
  const params: Obj[] = [];
  for (const [name, v] of Object.entries((m.queryParams as Obj | undefined) ?? {})) {
    const qat = [...at, 'queryParams', name];
    if ((v as Obj)?.regex === '.*' && Object.keys(v as Obj).length === 1) {
      r.ledger.take(vs, qat);
      params.push({ name, present: true });
    } else {
      const sm = stringMatch(vs, qat, r, ['exact', 'regex']);
      if (sm) params.push({ name, ...sm });
    }
  }
  if (params.length) match.queryParams = params;
  const scope: Scope = {};
  if (m.sourceLabels !== undefined) scope.labels = m.sourceLabels as Record<string, string>;
  if (m.sourceNamespace !== undefined) scope.namespace = m.sourceNamespace as string;
  if (m.port !== undefined) scope.port = m.port as number;
  return { match, scope, path: at };
}

// ---- routes -> one policy --------------------------------------------------------------------

const scopeKey = (s: Scope) => JSON.stringify([s.labels ?? null, s.namespace ?? null]);

/**
 * Factors the policy-wide parts back out of the match entries: anymesh writes every combination
 * of a rule's matches and the policy's sources (matches outer, sources inner) and puts spec.port
 * in every entry. Routes whose scopes do not factor keep their matches; the scope parts are
 * reported, since per-rule callers have no neutral form.
 */
function factor(
  routes: readonly RouteIR[],
  r: IstioReader,
): { sources?: Obj[]; port?: number; matches: (Obj[] | undefined)[] } {
  const entriesOf = (x: RouteIR): Entry[] =>
    x.entries ?? [{ match: {}, scope: {}, path: ['spec', 'http', x.index] }];
  const all = routes.flatMap(entriesOf);
  const ports = new Set(all.map((e) => e.scope.port));
  const port = ports.size === 1 ? [...ports][0] : undefined;
  // The number of sources n is a period of the first route's scopes such that, in every route,
  // the entries come in blocks of n with one match part each and the same n scopes. Without
  // scopes there are no sources (n = 1); otherwise the largest such period wins, so sources given
  // twice come back twice (the objects compile back byte for byte either way).
  const first = entriesOf(routes[0]!);
  const fits = (n: number) =>
    routes.every((x) => {
      const es = entriesOf(x);
      if (es.length % n !== 0) return false;
      return es.every((e, k) => {
        const block = es[k - (k % n)]!;
        return (
          scopeKey(e.scope) === scopeKey(first[k % n]!.scope) &&
          JSON.stringify(e.match) === JSON.stringify(block.match)
        );
      });
    });
  const scoped = all.some((e) => e.scope.labels || e.scope.namespace);
  const periods = scoped ? first.map((_, i) => first.length - i).filter((n) => first.length % n === 0) : [1];
  const n = periods.find(fits) ?? 1;
  const factors = fits(n);
  const firstScopes = first.slice(0, n).map((e) => e.scope);
  const take = (x: RouteIR, e: Entry, what: 'scope' | 'port') => {
    const fields = what === 'port' ? ['port'] : ['sourceLabels', 'sourceNamespace'];
    for (const f of fields)
      if (r.ledger.peek(x.vs, [...e.path, f]) !== undefined) r.ledger.take(x.vs, [...e.path, f]);
  };
  const lose = (x: RouteIR, e: Entry, what: 'scope' | 'port') => {
    const fields = what === 'port' ? ['port'] : ['sourceLabels', 'sourceNamespace'];
    for (const f of fields)
      if (r.ledger.peek(x.vs, [...e.path, f]) !== undefined)
        r.lost(
          x.vs,
          [...e.path, f],
          what === 'port'
            ? 'the routes of this VirtualService match different ports; a neutral policy governs one port (spec.port) or all'
            : 'these routes match different callers; a neutral policy scopes all its rules to the same callers (spec.sources)',
        );
  };
  for (const x of routes)
    for (const e of x.entries ?? []) {
      (port !== undefined || ports.size === 1 ? take : lose)(x, e, 'port');
      (factors ? take : lose)(x, e, 'scope');
    }
  const sources = factors
    ? firstScopes
        .filter((s) => s.labels || s.namespace)
        .map((s) => ({
          ...(s.namespace ? { namespace: s.namespace } : {}),
          ...(s.labels ? { labels: s.labels } : {}),
        }))
    : [];
  const matches = routes.map((x) => {
    if (!x.entries) return undefined;
    const picked = factors ? x.entries.filter((_, k) => k % n === 0) : x.entries;
    const ms = picked.map((e) => e.match);
    return ms.length === 1 && Object.keys(ms[0]!).length === 0 ? undefined : ms.length ? ms : undefined;
  });
  return { ...(sources.length ? { sources } : {}), ...(port !== undefined ? { port } : {}), matches };
}

function buildTrafficPolicy(
  g: Group,
  subsets: Subsets | undefined,
  versionsGiven: Set<string>,
  usedByService: ReadonlySet<string>,
  r: IstioReader,
): ImportedPolicy | undefined {
  if (!g.routes.length) return undefined;
  const f = factor(g.routes, r);
  const rules = g.routes.map((x, i) => {
    const rule: Obj = {};
    const name = x.name;
    if (name !== undefined && name !== `rule-${i}`) {
      if (isDnsLabel(name)) rule.name = name;
      else
        r.ledger.report(x.vs, ['spec', 'http', x.index, 'name'], (at) =>
          makeDiagnostic(ISTIO_MESSAGES.ImportRuleRenamed, { name, rule: `rule-${i}` }, at),
        );
    }
    const m = f.matches[i];
    if (m) rule.matches = m;
    Object.assign(rule, x.rule);
    // A destination port to the service itself is spec.port; without one the policy governs all ports.
    for (const sp of x.selfPorts) {
      if (sp.port === f.port) r.ledger.take(x.vs, sp.path);
      else
        r.changed(
          x.vs,
          sp.path,
          f.port === undefined
            ? `the route sends to port ${sp.port}; the imported policy routes to the port the caller used (set spec.port to govern only that port)`
            : `the route sends to port ${sp.port} while the policy governs port ${f.port}`,
        );
    }
    return rule;
  });
  const spec: Obj = { service: g.service };
  if (f.port !== undefined) spec.port = f.port;
  const used = new Set(g.routes.flatMap((x) => x.subsets));
  const key = `${g.namespace}/${g.service}`;
  if (subsets?.versions.size) {
    // Each policy defines the subsets its rules name; the first policy of a service also carries
    // the subsets no rule of any policy names, so the DestinationRule compiles back whole.
    const first = !versionsGiven.has(key);
    const versions = [...subsets.versions.entries()]
      .filter(([v]) => used.has(v) || (first && !usedByService.has(v)))
      .sort(([a], [b]) => a.localeCompare(b));
    if (versions.length) {
      spec.versions = Object.fromEntries(versions);
      versionsGiven.add(key);
    }
  }
  if (f.sources) spec.sources = f.sources;
  spec.rules = rules;
  const from = [...g.from, ...(subsets?.rules.map((d) => d.ref) ?? [])];
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(g.name, g.namespace, g.meta.sources ? undefined : g.meta),
    spec,
    from,
  );
}
