/**
 * Istio security -> neutral: AuthorizationPolicy -> AccessPolicy, PeerAuthentication -> MTLSPolicy.
 *
 * Istio's reference (security/authorization-policy/): a policy without a selector covers the
 * whole namespace; ALLOW is the default action; rules are ORed, and inside a rule `from`, `to`
 * and `when` are ANDed; principals are `<trust domain>/ns/<namespace>/sa/<account>` ("*": any
 * authenticated caller, `from[].authenticated`). Each rule
 * becomes its own AccessPolicy (neutral policies of one action for one service are ORed the same
 * way). PeerAuthentication (security/peer_authentication/): a policy in the root namespace without
 * a selector is mesh-wide; UNSET inherits, DISABLE is plaintext.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { contains, type Network, parseNetwork } from '../../core/model/semantic-ip-block.js';
import { type ImportedMeta, neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import { conditionsExpressible, headerAlternatives } from './import-conditions.js';
import { GATEWAY_API, type IstioReader } from './import-reader.js';
import { ISTIO_MESSAGES } from './messages.js';
import { rootNamespace } from './options.js';

type Obj = Record<string, unknown>;

/**
 * `waypoints`: the `<namespace>/<name>` of the input's waypoint Gateways (gatewayClassName
 * istio-waypoint), whose identities guards admit.
 */
export function importSecurity(
  objects: readonly NativeObject[],
  r: IstioReader,
  waypoints: ReadonlySet<string> = new Set(),
): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  const guards = waypointGuards(objects, waypoints, r);
  for (const o of objects) {
    if (guards.objects.has(o)) continue;
    if (o.object.kind === 'AuthorizationPolicy') out.push(...importAuthorization(o, r, guards));
    else {
      const p = importPeerAuthentication(o, r);
      if (p) out.push(p);
    }
  }
  return out;
}

/** The neutral name and namespace: the source policy anymesh compiled, else the object's own. */
function origin(meta: ImportedMeta, kind: string): { name: string; namespace: string; meta?: ImportedMeta } {
  const src = meta.sources?.find((s) => s.kind === kind);
  return src
    ? { name: src.name, namespace: src.namespace }
    : { name: meta.name, namespace: meta.namespace, meta };
}

/** Whether an object is an Istio waypoint: a Gateway API Gateway of class istio-waypoint. */
export function isWaypointGateway(o: NativeObject): boolean {
  return (
    o.object.kind === 'Gateway' &&
    o.object.apiVersion.startsWith(GATEWAY_API) &&
    (o.object.spec as Obj | undefined)?.gatewayClassName === 'istio-waypoint'
  );
}

/** The `<namespace>/<name>` of the waypoint Gateways of the input. */
export function waypointGateways(objects: readonly NativeObject[]): Set<string> {
  return new Set(objects.filter(isWaypointGateway).map((o) => `${o.namespace}/${o.object.metadata.name}`));
}

/** The service a workload selector stands for: `app: <service>` (anymesh's default) or named by `app`. */
function serviceOfSelector(
  o: NativeObject,
  r: IstioReader,
  at: FieldPath,
): { service: string; selector?: Record<string, string> } | undefined {
  r.ledger.peek(o, at) !== undefined && rest(o, r, at, ['matchLabels'], 'selector');
  const labels = r.ledger.peek<Record<string, string>>(o, [...at, 'matchLabels']);
  if (!labels || !Object.keys(labels).length) return undefined;
  r.ledger.take(o, [...at, 'matchLabels']);
  const app = labels.app ?? labels['app.kubernetes.io/name'];
  const only = Object.keys(labels).length === 1 && labels.app !== undefined;
  if (app === undefined) {
    r.ledger.report(o, [...at, 'matchLabels'], (a) =>
      makeDiagnostic(
        ISTIO_MESSAGES.ImportMeaningChanges,
        {
          how: `no app label names the service, so the policy is for service ${o.object.metadata.name}; check spec.service`,
        },
        a,
      ),
    );
    return { service: o.object.metadata.name, selector: labels };
  }
  return only ? { service: app } : { service: app, selector: labels };
}

function rest(o: NativeObject, r: IstioReader, at: FieldPath, known: readonly string[], what: string): void {
  r.rest(o, at, known, what);
}

/** The one Service of the namespace a policy's `targetRefs` names (group "", kind Service), if so. */
function targetService(spec: unknown): string | undefined {
  const refs = (spec as Obj | undefined)?.targetRefs;
  const ref = Array.isArray(refs) && refs.length === 1 ? (refs[0] as Obj | null) : undefined;
  return ref && (ref.group ?? '') === '' && ref.kind === 'Service' && typeof ref.name === 'string'
    ? ref.name
    : undefined;
}

/** The Service `targetRefs` names, taken; a target with no neutral form is reported. */
function serviceOfTargetRefs(o: NativeObject, r: IstioReader): string | undefined {
  if (r.ledger.peek(o, ['spec', 'targetRefs']) === undefined) return undefined;
  const service = targetService(r.ledger.peek(o, ['spec']));
  if (service === undefined) {
    r.lost(
      o,
      ['spec', 'targetRefs'],
      'targetRefs other than one Service of the namespace (a Gateway, a ServiceEntry, several targets) have no neutral form',
    );
    return undefined;
  }
  rest(o, r, ['spec', 'targetRefs', 0], ['group', 'kind', 'name'], 'targetRef');
  r.ledger.take(o, ['spec', 'targetRefs']);
  return service;
}

/**
 * `<trust domain>/ns/<namespace>/sa/<account>` in its parts (the account may be `*`, every account
 * of the namespace), or undefined for other principals and patterns.
 */
function principalParts(p: string): { trustDomain: string; namespace: string; account: string } | undefined {
  const m = /^(.+)\/ns\/([^/*]+)\/sa\/([^/*]+|\*)$/.exec(p);
  return m ? { trustDomain: m[1]!, namespace: m[2]!, account: m[3]! } : undefined;
}

/** The waypoint guards of the input: the objects, and each one's labels by `<namespace>/<service>`. */
interface Guards {
  readonly objects: ReadonlySet<NativeObject>;
  /** The guard's labels when they are not the default `app: <service>`, else null. */
  readonly selectors: ReadonlyMap<string, Record<string, string> | null>;
}

/**
 * The waypoint guards of the input: an ALLOW by selector of only the waypoint's identity (a
 * waypoint Gateway of the namespace in the input, else anymesh's default `waypoint`) at the pods
 * of a service whose policies are enforced by its waypoint (targetRefs to it). That is how every
 * waypoint-enforced policy reaches ztunnel (ambient-security.ts), so it is part of those policies,
 * not one of its own; the labels it selects are their spec.selector.
 */
function waypointGuards(
  objects: readonly NativeObject[],
  waypoints: ReadonlySet<string>,
  r: IstioReader,
): Guards {
  const enforced = new Set(
    objects.flatMap((o) => {
      const service = targetService(o.object.spec);
      return service === undefined ? [] : [`${o.namespace}/${service}`];
    }),
  );
  const isWaypoint = (namespace: string, account: string) =>
    waypoints.size ? waypoints.has(`${namespace}/${account}`) : account === 'waypoint';
  const found = new Set<NativeObject>();
  const selectors = new Map<string, Record<string, string> | null>();
  for (const o of objects) {
    const spec = (o.object.spec ?? {}) as Obj;
    const labels = (spec.selector as Obj | undefined)?.matchLabels as Record<string, string> | undefined;
    const app = labels?.app ?? labels?.['app.kubernetes.io/name'];
    const rules = spec.rules as { from?: { source?: { principals?: unknown[] } }[] }[] | undefined;
    const only = rules?.[0]?.from?.[0]?.source?.principals?.[0];
    // Exactly one rule admitting exactly that principal, and nothing else in the policy.
    const shape =
      Object.keys(spec).every((k) => ['selector', 'action', 'rules'].includes(k)) &&
      (spec.action ?? 'ALLOW') === 'ALLOW' &&
      JSON.stringify(rules) === JSON.stringify([{ from: [{ source: { principals: [only] } }] }]);
    const who = typeof only === 'string' ? principalParts(only) : undefined;
    const guard =
      shape &&
      app !== undefined &&
      who?.trustDomain === r.ctx.trustDomain &&
      who.namespace === o.namespace &&
      isWaypoint(o.namespace, who.account) &&
      enforced.has(`${o.namespace}/${app}`);
    if (!guard) continue;
    takeMetadata(r.ledger, o);
    r.ledger.take(o, ['spec']);
    found.add(o);
    const plain = Object.keys(labels!).length === 1 && labels!.app !== undefined;
    selectors.set(`${o.namespace}/${app}`, plain ? null : labels!);
  }
  return { objects: found, selectors };
}

function importAuthorization(
  o: NativeObject,
  r: IstioReader,
  guards: Guards = { objects: new Set(), selectors: new Map() },
): ImportedPolicy[] {
  const meta = takeMetadata(r.ledger, o);
  rest(o, r, ['spec'], ['selector', 'targetRefs', 'action', 'rules'], 'AuthorizationPolicy');
  const action = r.ledger.peek<string>(o, ['spec', 'action']) ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY') {
    r.lost(o, ['spec'], `action ${action} has no neutral form (neutral policies allow or deny)`);
    return [];
  }
  // Enforced by the service's waypoint (ambient): the Service it targets, with the labels of its
  // guard as the selector.
  const targeted =
    r.ledger.peek(o, ['spec', 'selector']) === undefined ? serviceOfTargetRefs(o, r) : undefined;
  if (targeted === undefined && r.ledger.peek(o, ['spec', 'targetRefs']) !== undefined) {
    r.lost(o, ['spec'], 'the policy is for a target with no neutral form (targetRefs), so it is left out');
    return [];
  }
  const selector = targeted !== undefined ? guards.selectors.get(`${o.namespace}/${targeted}`) : undefined;
  const target =
    targeted !== undefined
      ? { service: targeted, ...(selector ? { selector } : {}) }
      : serviceOfSelector(o, r, ['spec', 'selector']);
  if (!target) {
    r.lost(
      o,
      ['spec'],
      'a policy without a workload selector covers the whole namespace; a neutral AccessPolicy governs one service',
    );
    return [];
  }
  const rules = r.ledger.peek<Obj[]>(o, ['spec', 'rules']) ?? [];
  if (!rules.length) {
    r.lost(
      o,
      ['spec'],
      action === 'ALLOW'
        ? 'an ALLOW policy without rules denies every request, which a neutral AccessPolicy (that names callers) cannot say'
        : 'a DENY policy without rules denies nothing',
    );
    return [];
  }
  r.ledger.take(o, ['spec', 'action']);
  const { name, namespace, meta: own } = origin(meta, 'AccessPolicy');
  const out: ImportedPolicy[] = [];
  const bySources = new Map<string, Obj[]>();
  rules.forEach((_, i) => {
    const at: FieldPath = ['spec', 'rules', i];
    // An ALLOW rule imported without one of its conditions would allow more than it did, so such
    // a rule is left out whole; a DENY rule without one denies more, which is reported and kept.
    if (action === 'ALLOW' && hasInexpressible(r.ledger.peek<Obj>(o, at) ?? {})) {
      r.lost(
        o,
        at,
        'this ALLOW rule has conditions the neutral model cannot say (when other than request headers, not* other than notIpBlocks inside ipBlocks, remoteIpBlocks, hosts, request principals ...); imported without them it would allow more, so it is left out',
      );
      return;
    }
    rest(o, r, at, ['from', 'to', 'when'], 'rule');
    const from = sources(o, [...at, 'from'], r);
    if (!from.length) {
      r.lost(o, at, 'a rule without callers the neutral model can name (any caller) has no neutral form');
      return;
    }
    let to = operations(o, [...at, 'to'], r);
    const alternatives = headerAlternatives(o, [...at, 'when'], r);
    if (alternatives) {
      const base = to.length ? to : [{}];
      to = base.flatMap((op) => alternatives.map((headers) => ({ ...op, headers })));
    }
    // Rules of the same callers that each name operations are one policy whose operations are
    // theirs (any rule, any operation: the same requests); anymesh writes an operation with
    // headers as a rule of its own, and this joins them back.
    const key = JSON.stringify(from);
    const joined = to.length ? bySources.get(key) : undefined;
    if (joined) {
      joined.push(...to);
      return;
    }
    const spec: Obj = {
      service: target.service,
      ...(target.selector ? { selector: target.selector } : {}),
      action: action === 'ALLOW' ? 'allow' : 'deny',
      from,
      ...(to.length ? { to } : {}),
    };
    if (to.length) bySources.set(key, to);
    out.push(
      neutralPolicy(
        'AccessPolicy',
        neutralMetadata(i === 0 ? name : `${name}-${i + 1}`, namespace, own),
        spec,
        [o.ref],
      ),
    );
  });
  return out;
}

const EXPRESSIBLE: Record<string, readonly string[]> = {
  rule: ['from', 'to', 'when'],
  from: ['source'],
  source: ['principals', 'namespaces', 'ipBlocks', 'notIpBlocks'],
  to: ['operation'],
  operation: ['methods', 'paths', 'ports'],
};

/** Whether a rule holds a field outside what the neutral model can say. */
function hasInexpressible(rule: Obj): boolean {
  const bad = (v: unknown, level: string) =>
    v !== null && typeof v === 'object' && Object.keys(v).some((k) => !EXPRESSIBLE[level]!.includes(k));
  if (bad(rule, 'rule') || !conditionsExpressible(rule.when)) return true;
  for (const f of (rule.from as Obj[] | undefined) ?? [])
    if (
      bad(f, 'from') ||
      bad(f.source, 'source') ||
      networksOf((f.source as Obj | undefined) ?? {}) === undefined
    )
      return true;
  for (const t of (rule.to as Obj[] | undefined) ?? [])
    if (bad(t, 'to') || bad(t.operation, 'operation')) return true;
  return false;
}

/**
 * A source's `ipBlocks` minus `notIpBlocks` as neutral networks, each exception under the block
 * that holds it; undefined when that is not possible (an address that does not parse, or an
 * exception inside no block, or exceptions without blocks). No ipBlocks: an empty list.
 */
function networksOf(source: Obj): Obj[] | undefined {
  const blocks = (source.ipBlocks as string[] | undefined) ?? [];
  const not = (source.notIpBlocks as string[] | undefined) ?? [];
  const parsed = blocks.map((b) => parseNetwork(String(b)));
  const outer = parsed.filter((n): n is Network => typeof n !== 'string');
  if (outer.length !== blocks.length) return undefined;
  const excepts = not.map((e) => parseNetwork(String(e)));
  if (excepts.some((e) => typeof e === 'string' || !outer.some((n) => contains(n, e)))) return undefined;
  return blocks.map((cidr, i) => {
    const except = not.filter((_, j) => contains(outer[i]!, excepts[j] as Network));
    return { cidr, ...(except.length ? { except } : {}) };
  });
}

function sources(o: NativeObject, at: FieldPath, r: IstioReader): Obj[] {
  const out: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((_, i) => {
    const s: FieldPath = [...at, i, 'source'];
    rest(o, r, [...at, i], ['source'], 'from');
    rest(o, r, s, ['principals', 'namespaces', 'ipBlocks', 'notIpBlocks'], 'source');
    const source = r.ledger.peek<Obj>(o, s) ?? {};
    const networks = networksOf(source);
    if (networks === undefined) {
      // Only a DENY rule gets here (an ALLOW rule with them is left out whole).
      r.lost(
        o,
        s,
        'ipBlocks/notIpBlocks that are not networks, or exceptions inside no block, have no neutral form',
      );
      return;
    }
    const identities = identitiesOf(o, s, r);
    const named = source.principals !== undefined || source.namespaces !== undefined;
    // The fields of one source must all hold: every identity from every network.
    if (!networks.length) out.push(...identities);
    else if (!named || identities.length) {
      for (const n of networks)
        for (const id of named ? identities : [{}]) out.push({ ...id, ipBlock: structuredClone(n) });
      r.ledger.take(o, [...s, 'ipBlocks']);
      r.ledger.take(o, [...s, 'notIpBlocks']);
    } else
      r.lost(
        o,
        [...s, 'ipBlocks'],
        'the networks are for callers whose identities have no neutral form (above)',
      );
  });
  return out;
}

/**
 * The callers a source names by identity (principals, namespaces), as neutral entries. The fields
 * of one source are ANDed (Istio's AuthorizationPolicy reference: "all fields must match"), so with
 * both, the callers are the principals in one of the namespaces; the namespaces then only filter
 * (a pattern such as `prod-*` too, matched as Istio matches it: one `*` at either end).
 */
function identitiesOf(o: NativeObject, s: FieldPath, r: IstioReader): Obj[] {
  const principals: Obj[] = [];
  (r.ledger.peek<string[]>(o, [...s, 'principals']) ?? []).forEach((p, j) => {
    // "*" is any authenticated caller (a peer with an mTLS identity).
    if (p === '*') {
      r.ledger.take(o, [...s, 'principals', j]);
      principals.push({ authenticated: true });
      return;
    }
    const m = principalParts(p);
    // `<trust domain>/ns/<namespace>/sa/*` is every account of the namespace (Istio matches a * at
    // the end of a principal as a prefix), which is the neutral caller by namespace; of another
    // trust domain it is no caller of this mesh.
    const whole = m?.account === '*';
    if (!m || (whole && m.trustDomain !== r.ctx.trustDomain)) {
      r.lost(o, [...s, 'principals', j], `principal ${p} is not one service account of one namespace`);
      return;
    }
    if (m.trustDomain !== r.ctx.trustDomain) {
      r.changed(
        o,
        [...s, 'principals', j],
        `trust domain ${m.trustDomain} is not ${r.ctx.trustDomain}; pass --trust-domain ${m.trustDomain}`,
      );
    } else r.ledger.take(o, [...s, 'principals', j]);
    principals.push(
      whole ? { namespace: m.namespace } : { namespace: m.namespace, serviceAccount: m.account },
    );
  });
  const namespaces = r.ledger.peek<string[]>(o, [...s, 'namespaces']);
  if (namespaces === undefined) return principals;
  // Any authenticated caller of these namespaces is every caller of them (a namespace is read
  // off the peer's identity): the namespaces, the other principals being among them.
  const anyIdentity = principals.some((p) => p.authenticated);
  if (r.ledger.peek(o, [...s, 'principals']) !== undefined && !anyIdentity) {
    namespaces.forEach((_, j) => r.ledger.take(o, [...s, 'namespaces', j]));
    return principals.filter((p) => namespaces.some((n) => istioMatch(n, p.namespace as string)));
  }
  const out: Obj[] = [];
  namespaces.forEach((n, j) => {
    if (n.includes('*')) {
      r.lost(o, [...s, 'namespaces', j], `namespace pattern ${n} has no neutral form`);
      return;
    }
    r.ledger.take(o, [...s, 'namespaces', j]);
    out.push({ namespace: n });
  });
  return out;
}

/** Istio's string match of a source field: exact, `*`, `prefix*` or `*suffix`. */
function istioMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

function operations(o: NativeObject, at: FieldPath, r: IstioReader): Obj[] {
  const out: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((_, i) => {
    const op: FieldPath = [...at, i, 'operation'];
    rest(o, r, [...at, i], ['operation'], 'to');
    rest(o, r, op, ['methods', 'paths', 'ports'], 'operation');
    const item: Obj = {};
    const methods = r.ledger.peek<string[]>(o, [...op, 'methods']);
    if (methods?.every((m) => (HTTP_METHODS as readonly string[]).includes(m)))
      item.methods = r.ledger.take(o, [...op, 'methods']);
    else if (methods)
      r.lost(o, [...op, 'methods'], 'methods other than HTTP methods (e.g. gRPC or wildcards)');
    const paths = r.ledger.take<string[]>(o, [...op, 'paths']);
    if (paths) item.paths = paths;
    const ports = r.ledger.peek<string[]>(o, [...op, 'ports']);
    if (ports?.every((p) => /^\d+$/.test(String(p)))) {
      r.ledger.take(o, [...op, 'ports']);
      item.ports = ports.map(Number);
    } else if (ports) r.lost(o, [...op, 'ports'], 'port ranges or names');
    if (Object.keys(item).length) out.push(item);
  });
  return out;
}

function importPeerAuthentication(o: NativeObject, r: IstioReader): ImportedPolicy | undefined {
  const meta = takeMetadata(r.ledger, o);
  rest(o, r, ['spec'], ['selector', 'mtls'], 'PeerAuthentication');
  rest(o, r, ['spec', 'mtls'], ['mode'], 'mtls');
  const mode = r.ledger.peek<string>(o, ['spec', 'mtls', 'mode']);
  if (mode !== 'STRICT' && mode !== 'PERMISSIVE') {
    r.lost(
      o,
      ['spec', 'mtls'],
      `mode ${mode ?? 'UNSET'} has no neutral form (neutral modes are strict and permissive)`,
    );
    return undefined;
  }
  r.ledger.take(o, ['spec', 'mtls', 'mode']);
  const { name, namespace, meta: own } = origin(meta, 'MTLSPolicy');
  const spec: Obj = { mode: mode === 'STRICT' ? 'strict' : 'permissive' };
  if (r.ledger.peek(o, ['spec', 'selector']) !== undefined) {
    const target = serviceOfSelector(o, r, ['spec', 'selector']);
    if (target) {
      spec.service = target.service;
      if (target.selector) spec.selector = target.selector;
    }
  } else if (o.namespace === rootNamespace(r.ctx)) spec.scope = 'mesh';
  return neutralPolicy('MTLSPolicy', neutralMetadata(name, namespace, own), spec, [o.ref]);
}
