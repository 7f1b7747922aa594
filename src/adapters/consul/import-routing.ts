/**
 * ServiceRouter + ServiceSplitter + ServiceResolver -> TrafficPolicy, joined per service as Consul's
 * discovery chain joins them (agent/consul/discoverychain/compile.go, v1.16.3): a router route names
 * a service (its own when empty) and maybe a subset; a route to a service without a subset goes to
 * that service's splitter when it has one, else to its resolver (defaultSubset, redirect); requests
 * no route matches take the default route to the router's own service. So:
 * - routes become ordered rules; consecutive routes with the same destination are one rule with
 *   several match entries (how the Consul compile writes a rule with several matches);
 * - a splitter a route leads to becomes the rule's weighted backends: the splitter of the router's
 *   own service, or one of another name whose splits all name whole services or subsets of the
 *   router's service (the `<service>-split-<rule>` services the Consul compile writes, which carry
 *   the rule name back);
 * - a splitter no route leads to is a policy of its own service with one weighted rule;
 * - a resolver's subsets are the policy's versions.
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isDnsLabel, neutralMetadata, neutralPolicy } from '../kit/import-kit.js';
import { type ConsulReader, isKind, type Obj, sameNamespace } from './import-reader.js';
import { headerOps, readDestinationSettings, readMatch } from './import-route.js';
import { type Resolver, readResolvers } from './import-subsets.js';

/** What routing leaves to the later passes: resolvers (BackendPolicy) and services that need http. */
export interface RoutingResult {
  readonly policies: ImportedPolicy[];
  readonly resolvers: Map<string, Resolver>;
  /** `namespace/service` of every service the imported policies make L7 (ServiceDefaults http). */
  readonly http: Set<string>;
  /** ServiceDefaults a consumed virtual split service had: nothing else reads them. */
  readonly virtual: Set<string>;
  /**
   * `namespace/service` -> protocol of every service in the chain of an imported gRPC or HTTP/2
   * policy: a compile writes that protocol (grpc, http2) for each of them (Consul wants one protocol
   * per discovery chain); the other L7 services are http.
   */
  readonly chains: Map<string, ChainProtocol>;
}

interface Rule {
  readonly rule: Obj;
  readonly match?: Obj[];
  /** The objects a rule joined (splitters), for `from`. */
  readonly joined: NativeObject[];
}

/** The protocols other than http a compile gives a whole discovery chain. */
export type ChainProtocol = 'grpc' | 'http2';

const key = (ns: string, name: string) => `${ns}/${name}`;

const SPLITS = new WeakMap<NativeObject, { rule: Obj } | undefined>();

export function importRouting(objects: readonly NativeObject[], r: ConsulReader): RoutingResult {
  const resolvers = readResolvers(objects, r);
  const protocols = declaredProtocols(objects, r);
  const chains = new Map<string, ChainProtocol>();
  const splitters = new Map<string, NativeObject>();
  for (const o of objects.filter((x) => isKind(x, 'ServiceSplitter')))
    splitters.set(key(o.namespace, r.meta(o).name), o);
  const routers = objects.filter((x) => isKind(x, 'ServiceRouter'));
  const consumed = new Set<NativeObject>();
  const http = new Set<string>();
  const virtual = new Set<string>();
  const policies: ImportedPolicy[] = [];
  const routed = new Set<string>();

  for (const o of routers) {
    const meta = r.meta(o);
    const service = meta.name;
    const ns = o.namespace;
    routed.add(key(ns, service));
    r.rest(o, ['spec'], ['routes'], 'ServiceRouter');
    const ctx = new Join(r, o, service, resolvers, splitters, consumed, http, virtual, chains, protocols);
    ctx.l7(key(ns, service));
    const rules: Rule[] = [];
    (r.ledger.peek<Obj[]>(o, ['spec', 'routes']) ?? []).forEach((_, i) => {
      const base: FieldPath = ['spec', 'routes', i];
      r.rest(o, base, ['match', 'destination'], 'route');
      const match = readMatch(o, base, r, ctx.protocol);
      if (match === null) {
        r.lost(
          o,
          base,
          'a condition of this route has no neutral form (see above): imported without it the route would take requests it does not, so it is left out',
        );
        return;
      }
      const rule = ctx.destination([...base, 'destination']);
      if (rule?.rule.rewrite) prefixRewrite(o, base, rule.rule, match, r);
      if (rule) rules.push({ ...rule, ...(match ? { match } : {}) });
      else
        r.lost(
          o,
          base,
          'the route names a destination the neutral model cannot say (see above), so it is left out',
        );
    });
    // Requests no route matches go to the service itself: its splitter or resolver default, if any.
    const last = rules[rules.length - 1];
    if (!last || last.match) {
      const fallback = ctx.self();
      if (Object.keys(fallback.rule).length)
        rules.push({ ...fallback, rule: { name: 'default', ...fallback.rule } });
    }
    const merged = mergeRoutes(rules);
    if (!merged.length) {
      r.lost(o, ['spec'], 'a router without routes the neutral model can say');
      continue;
    }
    policies.push(ctx.policy(merged, [o, ...merged.flatMap((x) => x.joined)]));
  }

  // Splitters no route led to: one weighted rule for calls to their own service.
  for (const [k, o] of splitters) {
    if (consumed.has(o) || routed.has(k)) continue;
    const service = r.meta(o).name;
    const ctx = new Join(r, o, service, resolvers, splitters, consumed, http, virtual, chains, protocols);
    ctx.l7(k);
    const split = ctx.splits(o, true);
    if (!split) continue;
    policies.push(ctx.policy([{ rule: split.rule, joined: [] }], [o]));
  }

  // Resolvers no router or splitter joined: their versions, and where calls go by default.
  for (const [k, res] of resolvers) {
    if (routed.has(k) || [...splitters.keys()].includes(k)) continue;
    if (!res.versions.size && res.redirect === undefined) continue;
    const ctx = new Join(
      r,
      res.o,
      res.service,
      resolvers,
      splitters,
      consumed,
      http,
      virtual,
      chains,
      protocols,
    );
    const self = ctx.self();
    if (res.versions.size) ctx.l7(k);
    policies.push(ctx.policy([{ rule: { name: 'default', ...self.rule }, joined: [] }], [res.o]));
  }
  return { policies, resolvers, http, virtual, chains };
}

/**
 * The protocol each service declares (ServiceDefaults `protocol`, else ProxyDefaults
 * `config.protocol`, else Consul's default tcp), read without taking it: the defaults pass takes or
 * reports it once the policies are known.
 */
function declaredProtocols(
  objects: readonly NativeObject[],
  r: ConsulReader,
): (ns: string, name: string) => string {
  const own = new Map<string, string>();
  let global: string | undefined;
  for (const o of objects) {
    if (isKind(o, 'ServiceDefaults')) {
      const p = r.ledger.peek<string>(o, ['spec', 'protocol']);
      if (p) own.set(key(o.namespace, r.meta(o).name), p);
    } else if (isKind(o, 'ProxyDefaults'))
      global = r.ledger.peek<string>(o, ['spec', 'config', 'protocol']) || global;
  }
  return (ns, name) => own.get(key(ns, name)) ?? global ?? 'tcp';
}

/**
 * `prefixRewrite` replaces what the route's path match matched: Consul writes it as Envoy's
 * `prefix_rewrite` (agent/xds/routes.go), which swaps "the matched prefix (or path)" for the value
 * (envoy api/envoy/config/route/v3/route_components.proto RouteAction.prefix_rewrite), and Consul
 * requires a PathPrefix or PathExact beside it (service-router reference, Destination.PrefixRewrite:
 * https://developer.hashicorp.com/consul/docs/connect/config-entries/service-router). Under a path
 * prefix that is the neutral replacePrefixMatch; under an exact path the whole path is replaced,
 * the neutral replaceFullPath (the query string stays in both). With no path or a regex the neutral
 * model has no such rewrite: reported, and the rule keeps no rewrite.
 */
function prefixRewrite(
  o: NativeObject,
  base: FieldPath,
  rule: Obj,
  match: Obj[] | undefined,
  r: ConsulReader,
): void {
  const path = match?.length === 1 ? (match[0]!.path as Obj | undefined) : undefined;
  if (path?.prefix !== undefined) return;
  const value = ((rule.rewrite as Obj | undefined)?.path as Obj | undefined)?.replacePrefixMatch;
  if (path?.exact !== undefined && typeof value === 'string') {
    rule.rewrite = { path: { replaceFullPath: value } };
    return;
  }
  delete rule.rewrite;
  r.lost(
    o,
    [...base, 'destination', 'prefixRewrite'],
    'prefixRewrite on a route without a single path prefix or exact path match: Consul replaces only a matched path prefix or exact path, and neutral rewrites need one of them',
  );
}

/** Consecutive rules that differ only in their matches are one rule with all of them. */
function mergeRoutes(rules: readonly Rule[]): (Rule & { matches?: Obj[] })[] {
  const out: (Rule & { matches?: Obj[] })[] = [];
  for (const x of rules) {
    const prev = out[out.length - 1];
    // A prefix rewrite belongs to its one path-prefix match, so such rules stay apart.
    const same = prev && !x.rule.rewrite && JSON.stringify(prev.rule) === JSON.stringify(x.rule);
    if (same) {
      prev.matches = [...(prev.matches ?? [{}]), ...(x.match ?? [{}])];
      prev.joined.push(...x.joined);
    } else out.push({ ...x, joined: [...x.joined], ...(x.match ? { matches: x.match } : {}) });
  }
  return out;
}

/** The join of one service's entries into its policy. */
class Join {
  constructor(
    readonly r: ConsulReader,
    readonly o: NativeObject,
    readonly service: string,
    readonly resolvers: Map<string, Resolver>,
    readonly splitters: Map<string, NativeObject>,
    readonly consumed: Set<NativeObject>,
    readonly http: Set<string>,
    readonly virtual: Set<string>,
    readonly chains: Map<string, ChainProtocol>,
    readonly protocols: (ns: string, name: string) => string,
  ) {}

  get ns(): string {
    return this.o.namespace;
  }

  /**
   * The neutral protocol: grpc or http2 when the service declares it (Consul's service-defaults
   * protocols, https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults),
   * else http (what a compile writes).
   */
  get protocol(): 'http' | ChainProtocol {
    const declared = this.protocols(this.ns, this.service);
    return declared === 'grpc' || declared === 'http2' ? declared : 'http';
  }

  /** A service this policy's chain makes L7: with the policy's protocol, as a compile writes it. */
  l7(k: string): void {
    this.http.add(k);
    if (this.protocol !== 'http') this.chains.set(k, this.protocol);
  }

  get resolver(): Resolver | undefined {
    return this.resolvers.get(key(this.ns, this.service));
  }

  /** A route destination -> the rule it makes (backends and settings), or undefined (reported). */
  destination(at: FieldPath): Omit<Rule, 'match'> | undefined {
    const { r, o } = this;
    r.rest(
      o,
      at,
      [
        'service',
        'serviceSubset',
        'namespace',
        'partition',
        'prefixRewrite',
        'requestTimeout',
        'idleTimeout',
        'numRetries',
        'retryOnConnectFailure',
        'retryOn',
        'retryOnStatusCodes',
        'requestHeaders',
        'responseHeaders',
      ],
      'destination',
    );
    const target = this.target(at);
    if (!target) return undefined;
    const rule: Obj = { ...target.rule };
    readDestinationSettings(o, at, rule, r);
    return { rule: ordered(rule), joined: target.joined };
  }

  /** Where a destination's service and subset lead. */
  private target(at: FieldPath): Omit<Rule, 'match'> | undefined {
    const { r, o } = this;
    const d = r.ledger.peek<Obj>(o, at) ?? {};
    if (!this.local(at)) return undefined;
    const name = (d.service as string | undefined) || this.service;
    const subset = (d.serviceSubset as string | undefined) || undefined;
    for (const f of ['service', 'serviceSubset'])
      if (r.ledger.peek(o, [...at, f]) !== undefined && r.ledger.peek(o, [...at, f]) === '')
        r.ledger.take(o, [...at, f]);
    if (name === this.service) {
      if (d.service !== undefined) r.ledger.take(o, [...at, 'service']);
      if (subset === undefined) return this.self();
      if (!this.resolver?.versions.has(subset)) {
        r.lost(o, [...at, 'serviceSubset'], `subset ${subset} is not a version of ${name} this import read`);
        return undefined;
      }
      r.ledger.take(o, [...at, 'serviceSubset']);
      return { rule: { backends: [{ version: subset }] }, joined: [] };
    }
    if (subset !== undefined) {
      r.lost(
        o,
        [...at, 'serviceSubset'],
        `subset ${subset} of ${name}: a neutral backend names a whole service`,
      );
      return undefined;
    }
    r.ledger.take(o, [...at, 'service']);
    const splitter = this.splitters.get(key(this.ns, name));
    if (splitter && this.inlinable(splitter)) {
      const split = this.splits(splitter, false);
      if (split) {
        // A split service of this router's own (`<service>-split-<rule>`, what the Consul compile
        // writes) exists only for this route; another service keeps its split for its own callers
        // too, so it is also imported as a policy of its own.
        const own = name.startsWith(`${this.service}-split-`);
        if (own) {
          this.consumed.add(splitter);
          this.virtual.add(key(this.ns, name));
          if (this.protocol !== 'http') this.chains.set(key(this.ns, name), this.protocol);
        }
        const ruleName = own ? name.slice(this.service.length + 7) : '';
        return {
          rule: { ...(isDnsLabel(ruleName) ? { name: ruleName } : {}), ...split.rule },
          joined: [splitter],
        };
      }
    }
    this.l7(key(this.ns, name));
    return { rule: { backends: [{ service: name }] }, joined: [] };
  }

  /** Namespace and partition of a destination or split: this cluster and namespace, else reported. */
  private local(at: FieldPath): boolean {
    const { r, o } = this;
    const partition = r.ledger.peek<string>(o, [...at, 'partition']);
    if (partition !== undefined && partition !== '' && partition !== 'default') {
      r.lost(
        o,
        [...at, 'partition'],
        `admin partition ${partition}: neutral policies route within one cluster`,
      );
      return false;
    }
    if (partition !== undefined) r.ledger.take(o, [...at, 'partition']);
    const ns = r.ledger.peek<string>(o, [...at, 'namespace']);
    if (!sameNamespace(r, o, ns)) {
      r.lost(
        o,
        [...at, 'namespace'],
        `Consul namespace ${ns}: another namespace's service cannot be a version or a split of this one`,
      );
      return false;
    }
    if (ns !== undefined) r.ledger.take(o, [...at, 'namespace']);
    return true;
  }

  /**
   * Calls to the service itself without a subset: its splitter's weighted backends, its resolver's
   * default subset or redirect, else the service (no backends: an empty rule).
   */
  self(): Omit<Rule, 'match'> {
    const splitter = this.splitters.get(key(this.ns, this.service));
    if (splitter && splitter !== this.o) {
      const split = this.splits(splitter, true);
      if (split) {
        this.consumed.add(splitter);
        return { rule: split.rule, joined: [splitter] };
      }
    }
    const res = this.resolver;
    if (res?.defaultSubset !== undefined)
      return { rule: { backends: [{ version: res.defaultSubset }] }, joined: [] };
    if (res?.redirect !== undefined) {
      const ro = res.o;
      if (!this.redirectTaken.has(ro)) {
        this.redirectTaken.add(ro);
        this.r.changed(
          ro,
          ['spec', 'redirect'],
          `the redirect becomes a routing rule to ${res.redirect} (HTTP routing: Consul then needs protocol http for ${this.service}, and the redirect of TCP calls is not kept)`,
        );
      }
      this.l7(key(this.ns, res.redirect));
      return { rule: { backends: [{ service: res.redirect }] }, joined: [] };
    }
    return { rule: {}, joined: [] };
  }

  private readonly redirectTaken = new Set<NativeObject>();

  /** A splitter whose splits all name whole services or versions of this service can be a rule's backends. */
  private inlinable(splitter: NativeObject): boolean {
    const own = this.r.meta(splitter).name;
    const splits = this.r.ledger.peek<Obj[]>(splitter, ['spec', 'splits']) ?? [];
    return splits.every((s) => {
      const svc = (s.service as string | undefined) || own;
      return !s.serviceSubset || svc === this.service;
    });
  }

  /** A splitter's splits -> a weighted rule (header changes kept when every split has the same). */
  splits(splitter: NativeObject, withHeaders: boolean): { rule: Obj } | undefined {
    // A splitter is read once, however many routes lead to it (each read would report again).
    if (SPLITS.has(splitter)) return SPLITS.get(splitter);
    const out = this.readSplits(splitter, withHeaders);
    SPLITS.set(splitter, out);
    return out;
  }

  private readSplits(splitter: NativeObject, withHeaders: boolean): { rule: Obj } | undefined {
    const { r } = this;
    const o = splitter;
    const own = r.meta(o).name;
    r.rest(o, ['spec'], ['splits'], 'ServiceSplitter');
    const list = r.ledger.peek<Obj[]>(o, ['spec', 'splits']) ?? [];
    const backends: Obj[] = [];
    const exact = list.map((s) => (typeof s.weight === 'number' ? s.weight : 0));
    const weights = integerWeights(exact);
    list.forEach((s, i) => {
      const at: FieldPath = ['spec', 'splits', i];
      r.rest(
        o,
        at,
        ['weight', 'service', 'serviceSubset', 'namespace', 'partition', 'requestHeaders', 'responseHeaders'],
        'split',
      );
      if (!this.localSplit(o, at)) return;
      const svc = (s.service as string | undefined) || own;
      const subset = (s.serviceSubset as string | undefined) || undefined;
      for (const f of ['service', 'serviceSubset']) if (s[f] !== undefined) r.ledger.take(o, [...at, f]);
      let b: Obj;
      if (svc === this.service && subset !== undefined) {
        if (!this.resolver?.versions.has(subset)) {
          r.lost(o, at, `subset ${subset} is not a version of ${svc} this import read`);
          return;
        }
        b = { version: subset };
      } else if (subset !== undefined) {
        r.lost(o, at, `subset ${subset} of ${svc}: a neutral backend names a whole service`);
        return;
      } else {
        if (svc !== this.service) this.l7(key(this.ns, svc));
        b = { service: svc };
      }
      if (weights[i] === exact[i]) r.ledger.take(o, [...at, 'weight']);
      else
        r.changed(
          o,
          [...at, 'weight'],
          `weight ${exact[i]} becomes ${weights[i]}: neutral weights are whole percentages`,
        );
      backends.push({ ...b, weight: weights[i] });
    });
    if (!backends.length) {
      r.lost(o, ['spec'], 'a splitter without splits the neutral model can say');
      return undefined;
    }
    const sum = backends.reduce((n, b) => n + (b.weight as number), 0);
    if (sum !== 100) {
      r.lost(
        o,
        ['spec', 'splits'],
        `the weights that could be imported sum to ${sum}; neutral weights sum to 100`,
      );
      return undefined;
    }
    const rule: Obj = {
      backends: backends.length === 1 ? [{ ...backends[0], weight: undefined }].map(dropUndefined) : backends,
    };
    for (const which of ['requestHeaders', 'responseHeaders'] as const) {
      const per = list.map((_, i) => headerOps(o, ['spec', 'splits', i, which], r));
      const first = JSON.stringify(per[0] ?? null);
      if (!per.some((p) => p)) continue;
      if (withHeaders && per.every((p) => JSON.stringify(p ?? null) === first)) rule[which] = per[0];
      else
        list.forEach((_, i) => {
          if (per[i])
            r.lost(
              o,
              ['spec', 'splits', i, which],
              withHeaders
                ? 'header changes that differ between splits: a neutral rule changes headers alike for all its backends'
                : 'header changes on the splits of a service a route leads to: set them on the route',
            );
        });
    }
    return { rule: ordered(rule) };
  }

  private localSplit(o: NativeObject, at: FieldPath): boolean {
    const { r } = this;
    const partition = r.ledger.peek<string>(o, [...at, 'partition']);
    if (partition !== undefined && partition !== '' && partition !== 'default') {
      r.lost(o, at, `admin partition ${partition}: neutral policies route within one cluster`);
      return false;
    }
    if (partition !== undefined) r.ledger.take(o, [...at, 'partition']);
    const ns = r.ledger.peek<string>(o, [...at, 'namespace']);
    if (!sameNamespace(r, o, ns)) {
      r.lost(o, at, `Consul namespace ${ns}: neutral backends of another namespace are whole services`);
      return false;
    }
    if (ns !== undefined) r.ledger.take(o, [...at, 'namespace']);
    return true;
  }

  /** The policy: anymesh's source name when the router says, else the service's. */
  policy(rules: readonly (Rule & { matches?: Obj[] })[], from: readonly NativeObject[]): ImportedPolicy {
    const { r, o } = this;
    const src = r.sources(o, 'TrafficPolicy')[0];
    const meta = r.meta(o);
    const res = this.resolver;
    const spec: Obj = {
      service: this.service,
      ...(this.protocol !== 'http' ? { protocol: this.protocol } : {}),
    };
    if (res?.versions.size)
      spec.versions = Object.fromEntries([...res.versions.entries()].sort(([a], [b]) => a.localeCompare(b)));
    spec.rules = rules.map((x, i) => {
      const { name, ...rest } = x.rule;
      const out: Obj = {};
      if (typeof name === 'string' && name !== `rule-${i}`) out.name = name;
      if (x.matches && !(x.matches.length === 1 && !Object.keys(x.matches[0]!).length))
        out.matches = x.matches;
      return { ...out, ...rest };
    });
    const refs = new Set([...from, ...(res ? [res.o] : [])].map((x) => x.ref));
    return neutralPolicy(
      'TrafficPolicy',
      neutralMetadata(src?.name ?? meta.name, o.namespace, src ? undefined : meta),
      spec,
      [...refs],
    );
  }
}

/** Weights as whole percentages summing to 100 (largest remainders); exact ones stay as they are. */
function integerWeights(ws: readonly number[]): number[] {
  const sum = ws.reduce((n, w) => n + w, 0);
  if (sum <= 0) return ws.map(() => 0);
  const scaled = ws.map((w) => (w * 100) / sum);
  const out = scaled.map(Math.floor);
  let left = 100 - out.reduce((n, w) => n + w, 0);
  const order = scaled.map((s, i) => [s - Math.floor(s), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

function dropUndefined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Neutral field order, so imported policies read like written ones. */
const RULE_ORDER = [
  'name',
  'matches',
  'backends',
  'timeout',
  'retries',
  'requestHeaders',
  'responseHeaders',
  'rewrite',
];

function ordered(rule: Obj): Obj {
  const out: Obj = {};
  for (const k of RULE_ORDER) if (rule[k] !== undefined) out[k] = rule[k];
  for (const [k, v] of Object.entries(rule)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}
