/**
 * TrafficPolicy -> Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`) with a Service parentRef
 * (GAMMA), plus leaf Services for versions (`leaf-services.ts`).
 *
 * Why several HTTPRoutes per policy: Linkerd reads retries of a gateway.networking.k8s.io HTTPRoute
 * only from its annotations (`retry.linkerd.io/*`), and before 2.20 timeouts too
 * (`timeout.linkerd.io/request`; linkerd2 policy-controller/k8s/index/src/outbound/index/http.rs
 * `convert_route` passes the route-level values to every rule), so one annotation set covers the
 * whole route. Rules with the same annotations share a route; rules with other settings get their
 * own, so the settings apply to those rules only. `checkRuleOrder` (matches.ts) makes sure the split
 * does not change which rule wins. Compiled for a version that reads `rules[].timeouts.request`
 * (`--mesh-version 2.20` or edge-25.12 and later, versions.ts), timeouts stay on their rules and
 * only retries split routes; without --mesh-version the output is for the minimum, 2.16.
 *
 * Only fields in both Gateway API v1.6.1 (validated against) and the v1.1.1 copy Linkerd bundles are
 * used where it matters: no `rules[].name` (absent from v1.1.1), at most 8 matches per rule (v1.1.1's
 * limit; v1.6.1 allows 64). `rules[].timeouts.request` is in both; it is always written, and for
 * versions before 2.20 (which ignore it on this group) the annotation carries the timeout as well.
 *
 * The parentRef group is "" (the core group as Gateway API spells it); Linkerd accepts "" and "core"
 * (policy-controller/k8s/index/src/outbound/index.rs `is_service`).
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import { retryConditionFeature } from '../../core/compiler/usage.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, Rule, TrafficPolicy } from '../../core/model/schema.js';
import {
  GATEWAY_DURATION,
  grpcAsHttpMatch,
  grpcRouteMatch,
  headerFilters,
  redirectFilter,
  serviceParentRef,
} from '../kit/gateway-api.js';
import { leafNoticeParams } from '../kit/leaf-services.js';
import { LeafServices, leafName } from './leaf-services.js';
import { checkRuleOrder, gatewayMatch } from './matches.js';
import { type Compiled, linkerdDiag, linkerdDuration, OBJECT_NAME_LIMIT, type Obj } from './native.js';

/** The v1.1.1 Gateway API CRD bundled with Linkerd allows 8 matches per rule; both allow 16 rules. */
const MAX_MATCHES = 8;
const MAX_RULES = 16;

/** Envoy's retriable-4xx retries 409 only; Linkerd takes status codes. */
const RETRY_CONDITION: Record<string, string> = {
  '5xx': '5xx',
  'gateway-error': 'gateway-error',
  'retriable-4xx': '409',
};

/** How the output is written for the Linkerd version compiled for (versions.ts). */
export interface RoutingOptions {
  /** The version reads `rules[].timeouts.request`: timeouts need no annotation, so no route split. */
  readonly ruleTimeouts: boolean;
}

const LEGACY: RoutingOptions = { ruleTimeouts: false };

/** A rule's timeout in Gateway API form, when the HTTPRoute CRD's pattern can hold it. */
function gatewayTimeout(rule: Rule): string | undefined {
  if (!rule.timeout) return undefined;
  const request = formatDuration(durationMs(rule.timeout));
  return GATEWAY_DURATION.test(request) ? request : undefined;
}

/**
 * The annotations that carry a rule's timeout and retries. Rules with equal sets share a route.
 * When the version reads `rules[].timeouts`, a timeout needs the annotation only if the Gateway API
 * pattern cannot hold it (more than 5 digits per unit).
 */
export function routeAnnotations(
  rule: Rule,
  opts: RoutingOptions = LEGACY,
  grpc = false,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (rule.retries) {
    const r = rule.retries;
    const listed = r.retryOn ?? [];
    // gRPC statuses go to retry.linkerd.io/grpc, which Linkerd reads on a GRPCRoute only (the cell
    // refuses them on http policies); their names are Linkerd's (policy-controller
    // k8s/index/src/outbound/index/grpc.rs parse_grpc_retry: cancelled, deadline-exceeded, internal,
    // resource-exhausted, unavailable).
    const grpcConditions = grpc ? listed.filter((c) => retryConditionFeature(c) === 'retries.on.grpc') : [];
    const conditions = [
      ...new Set(
        listed
          .filter((c) => !grpcConditions.includes(c))
          .map((c) => {
            const mapped = RETRY_CONDITION[c] ?? (/^[1-5][0-9][0-9]$/.test(c) ? c : undefined);
            // The compiler refuses or drops connection and (on http) gRPC conditions before compile.
            if (mapped === undefined) throw new Error(`retry condition ${c} reached the Linkerd adapter`);
            return mapped;
          }),
      ),
    ];
    // A GRPCRoute's retries are read from retry.linkerd.io/grpc only: HTTP conditions were refused
    // before (AM4240), and none listed leaves Linkerd's default gRPC conditions.
    if (conditions.length && !grpc) out['retry.linkerd.io/http'] = conditions.join(',');
    if (grpcConditions.length) out['retry.linkerd.io/grpc'] = [...new Set(grpcConditions)].join(',');
    out['retry.linkerd.io/limit'] = String(r.attempts);
    if (r.perTryTimeout) out['retry.linkerd.io/timeout'] = linkerdDuration(durationMs(r.perTryTimeout));
  }
  // GRPCRoute has no rules[].timeouts (Gateway API v1.6.1): its timeout is the annotation alone.
  if (rule.timeout && (grpc || !(opts.ruleTimeouts && gatewayTimeout(rule))))
    out['timeout.linkerd.io/request'] = linkerdDuration(durationMs(rule.timeout));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

interface Scope {
  readonly port: number | undefined;
  /** Caller namespaces, or undefined for every caller. */
  readonly callers: readonly string[] | undefined;
}

function scopeOf(p: TrafficPolicy): Scope {
  const callers = p.spec.sources?.map((s) => s.namespace).filter((n): n is string => n !== undefined);
  return { port: p.spec.port, callers: callers ? [...new Set(callers)].sort() : undefined };
}

function scopeText(s: Scope): string {
  return `${s.port === undefined ? 'every port' : `port ${s.port}`}, ${s.callers ? `callers in ${s.callers.join(', ')}` : 'every caller'}`;
}

/** Conflicts (same scope: error) and merges (overlapping scopes: warning) between policies of one service. */
function checkScopes(group: readonly PolicyDoc<TrafficPolicy>[]): {
  diagnostics: Diagnostic[];
  rejected: Set<string>;
} {
  const diagnostics: Diagnostic[] = [];
  const rejected = new Set<string>();
  for (let j = 1; j < group.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = scopeOf(group[i]!.policy);
      const b = scopeOf(group[j]!.policy);
      const samePort = a.port === b.port;
      const portsOverlap = samePort || a.port === undefined || b.port === undefined;
      const sameCallers = JSON.stringify(a.callers) === JSON.stringify(b.callers);
      const callersOverlap = !a.callers || !b.callers || a.callers.some((n) => b.callers!.includes(n));
      const p = group[j]!;
      const other = group[i]!;
      if (samePort && sameCallers) {
        const where = other.at(['spec', 'service']).location;
        diagnostics.push(
          linkerdDiag(
            'RouteScopeConflict',
            {
              policy: p.ref,
              other: other.ref,
              where: `${where.file}:${where.line}:${where.col}`,
              service: p.policy.spec.service,
              scope: scopeText(a),
            },
            p.at(['spec', 'service']),
          ),
        );
        rejected.add(p.ref);
      } else if (portsOverlap && callersOverlap) {
        diagnostics.push(
          linkerdDiag(
            'RoutesMerged',
            {
              policy: p.ref,
              other: other.ref,
              service: p.policy.spec.service,
              scope: `${scopeText(a)} / ${scopeText(b)}`,
            },
            p.at(['spec', 'service']),
          ),
        );
      }
    }
  }
  return { diagnostics, rejected };
}

interface PolicyContext {
  readonly doc: PolicyDoc<TrafficPolicy>;
  readonly leaves: LeafServices;
  readonly diagnostics: Diagnostic[];
  /** The service's pod labels, resolved once when a version needs them. */
  selector?: Record<string, string>;
  readonly usedVersions: Set<string>;
}

/** backendRefs of a rule, with `namespace` left for the caller to add per route namespace. */
function backendRefs(
  pc: PolicyContext,
  rule: Rule,
  r: number,
): { name: string; namespace: string; port: number; weight?: number }[] | undefined {
  const { doc } = pc;
  const spec = doc.policy.spec;
  const backends: readonly BackendT[] = rule.backends ?? [];
  if (backends.length === 0) {
    // No backendRefs: Linkerd sends the rule's traffic to the parent Service on the port called
    // (policy-controller/grpc/src/outbound/http.rs uses the default backend for an empty list).
    // With spec.port the backend is written out, which other GAMMA readers need.
    return spec.port !== undefined
      ? [{ name: spec.service, namespace: doc.namespace, port: spec.port }]
      : undefined;
  }
  const out: { name: string; namespace: string; port: number; weight?: number }[] = [];
  backends.forEach((b, i) => {
    const weight = backends.length > 1 ? { weight: b.weight ?? 0 } : {};
    if (b.version !== undefined) {
      if (spec.port === undefined) {
        pc.diagnostics.push(
          linkerdDiag(
            'PortRequired',
            {
              what: `version ${b.version}`,
              why: `Linkerd routes versions to leaf Service ${leafName(spec.service, b.version)}, and a Service needs a port`,
            },
            doc.at(['spec', 'rules', r, 'backends', i, 'version']),
          ),
        );
        return;
      }
      if (!pc.selector) {
        const sel = resolveSelector(doc, spec.service);
        if (sel.diagnostic) pc.diagnostics.push(sel.diagnostic);
        pc.selector = sel.labels;
      }
      const problem = pc.leaves.add(doc, b.version, pc.selector, spec.port);
      if (problem) pc.diagnostics.push(problem);
      pc.usedVersions.add(b.version);
      out.push({
        name: leafName(spec.service, b.version),
        namespace: doc.namespace,
        port: spec.port,
        ...weight,
      });
      return;
    }
    const port = b.port ?? spec.port;
    if (port === undefined) {
      pc.diagnostics.push(
        linkerdDiag(
          'PortRequired',
          {
            what: `backend service ${b.service}`,
            why: 'Linkerd treats a Service backendRef without a port as invalid and fails its requests ("missing port for backend Service")',
          },
          doc.at(['spec', 'rules', r, 'backends', i, 'service']),
        ),
      );
      return;
    }
    out.push({ name: b.service!, namespace: b.namespace ?? doc.namespace, port, ...weight });
  });
  return out;
}

function routeRule(pc: PolicyContext, rule: Rule, r: number): Obj {
  const out: Obj = {};
  const grpc = pc.doc.policy.spec.protocol === 'grpc';
  if (rule.matches?.length) out.matches = rule.matches.map(grpc ? grpcRouteMatch : gatewayMatch);
  const filters = [...headerFilters(rule), ...(rule.redirect ? [redirectFilter(rule.redirect)] : [])];
  if (filters.length) out.filters = filters;
  // A redirect answers the caller: Gateway API forbids backendRefs beside it.
  if (rule.redirect) return out;
  // GRPCRoute has no rules[].timeouts: the annotation carries a gRPC rule's timeout.
  if (grpc) {
    const refs = backendRefs(pc, rule, r);
    if (refs) out.backendRefs = refs;
    return out;
  }
  const refs = backendRefs(pc, rule, r);
  if (refs) out.backendRefs = refs;
  // The Gateway API pattern allows at most 5 digits per unit; a longer timeout is carried by the
  // annotation alone (which every Linkerd version reads).
  const request = gatewayTimeout(rule);
  if (request) out.timeouts = { request };
  return out;
}

/** Emits the HTTPRoutes of one policy; leaf Services go to `leaves`. */
function compilePolicy(doc: PolicyDoc<TrafficPolicy>, leaves: LeafServices, opts: RoutingOptions): Compiled {
  const spec = doc.policy.spec;
  const diagnostics: Diagnostic[] = [];
  const pc: PolicyContext = { doc, leaves, diagnostics, usedVersions: new Set() };

  // Rules with the same annotations share a route, named after the policy when there is one route,
  // else after the policy and the route's first rule.
  const grpc = spec.protocol === 'grpc';
  const kind = grpc ? 'GRPCRoute' : 'HTTPRoute';
  if (grpc) {
    spec.rules.forEach((rule, r) => {
      rule.retries?.retryOn?.forEach((cond, i) => {
        if (retryConditionFeature(cond) === 'retries.on.grpc') return;
        diagnostics.push(
          linkerdDiag(
            'GrpcRetryHttpCondition',
            { got: JSON.stringify(cond) },
            doc.at(['spec', 'rules', r, 'retries', 'retryOn', i]),
          ),
        );
      });
    });
  }
  const keys = spec.rules.map((rule) => JSON.stringify(routeAnnotations(rule, opts, grpc)));
  const distinct = [...new Set(keys)];
  const ruleName = (i: number) => spec.rules[i]!.name ?? `rule-${i}`;
  const baseName = (key: string) =>
    distinct.length === 1 ? doc.name : `${doc.name}-${ruleName(keys.indexOf(key))}`;
  // gRPC matches order as the paths they are (/<service>/<method>), as for HTTP rules.
  const ordered = spec.rules.map((rule) =>
    rule.matches ? { ...rule, matches: rule.matches.map(grpcAsHttpMatch) } : rule,
  );
  diagnostics.push(...checkRuleOrder(doc, ordered, (i) => keys[i]!));

  spec.rules.forEach((rule, r) => {
    if ((rule.matches?.length ?? 0) > MAX_MATCHES) {
      diagnostics.push(
        linkerdDiag(
          'TooManyMatches',
          {
            what: `rule ${ruleName(r)} matches`,
            count: rule.matches!.length,
            limit: MAX_MATCHES,
            why: 'Gateway API v1.1.1 as bundled with Linkerd',
          },
          doc.at(['spec', 'rules', r, 'matches']),
        ),
      );
    }
  });
  for (const key of distinct) {
    const count = keys.filter((k) => k === key).length;
    if (count > MAX_RULES) {
      diagnostics.push(
        linkerdDiag(
          'TooManyMatches',
          { what: `HTTPRoute ${baseName(key)} rules`, count, limit: MAX_RULES, why: 'Gateway API HTTPRoute' },
          doc.at(['spec', 'rules']),
        ),
      );
    }
  }

  const rulesByRoute = distinct.map((key) => ({
    key,
    annotations: JSON.parse(key) as Record<string, string>,
    rules: spec.rules.flatMap((rule, r) => (keys[r] === key ? [routeRule(pc, rule, r)] : [])),
  }));

  if (pc.usedVersions.size && pc.selector) {
    diagnostics.push(
      linkerdDiag(
        'LeafServices',
        leafNoticeParams(spec, pc.usedVersions, pc.selector),
        doc.at(['spec', 'versions']),
      ),
    );
  }

  // Callers: a route in a caller namespace (consumer route) applies only to that namespace's clients;
  // a route in the service's namespace (producer route) to every client
  // (policy-controller/k8s/index/src/outbound/index.rs).
  const targets: string[] = [];
  if (spec.sources) {
    spec.sources.forEach((s, i) => {
      // serviceAccount and labels sources are refused or dropped by the compiler (cells none).
      if (s.namespace === undefined || s.serviceAccount !== undefined || s.labels !== undefined) {
        throw new Error(
          `source ${i} of ${doc.ref} reached the Linkerd adapter with fields it cannot express`,
        );
      }
      if (s.namespace === doc.namespace) {
        diagnostics.push(
          linkerdDiag(
            'SourceIsProducer',
            { namespace: doc.namespace },
            doc.at(['spec', 'sources', i, 'namespace']),
          ),
        );
      } else if (!targets.includes(s.namespace)) targets.push(s.namespace);
    });
  } else targets.push(doc.namespace);

  const resources: KubeObject[] = [];
  for (const ns of targets.sort()) {
    for (const route of rulesByRoute) {
      // Consumer routes live in another namespace, where a policy of the same name may exist: their
      // names carry the policy's namespace.
      const name = ns === doc.namespace ? baseName(route.key) : `${doc.namespace}-${baseName(route.key)}`;
      if (name.length > OBJECT_NAME_LIMIT) {
        diagnostics.push(
          linkerdDiag(
            'NameTooLong',
            { what: kind, name, limit: OBJECT_NAME_LIMIT, field: 'policy or rule name' },
            doc.at(['metadata', 'name']),
          ),
        );
        continue;
      }
      const rules = route.rules.map((rule) => {
        const refs = rule.backendRefs as
          | { name: string; namespace: string; port: number; weight?: number }[]
          | undefined;
        if (!refs) return rule;
        return {
          ...rule,
          backendRefs: refs.map(({ namespace, ...ref }) => ({
            name: ref.name,
            ...(namespace !== ns ? { namespace } : {}),
            port: ref.port,
            ...(ref.weight !== undefined ? { weight: ref.weight } : {}),
          })),
        };
      });
      resources.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind,
        metadata: outputMetadata(name, ns, [doc], { annotations: route.annotations }),
        spec: {
          parentRefs: [
            serviceParentRef(spec.service, {
              ...(ns !== doc.namespace ? { namespace: doc.namespace } : {}),
              ...(spec.port !== undefined ? { port: spec.port } : {}),
            }),
          ],
          rules,
        },
      });
    }
  }
  return { resources, diagnostics };
}

export function compileRouting(
  policies: readonly PolicyDoc<TrafficPolicy>[],
  opts: RoutingOptions = LEGACY,
): Compiled {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const leaves = new LeafServices();
  const groups = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const key = `${p.namespace}/${p.policy.spec.service}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const group of groups.values()) {
    const scopes = checkScopes(group);
    diagnostics.push(...scopes.diagnostics);
    for (const p of group) {
      if (scopes.rejected.has(p.ref)) continue;
      const r = compilePolicy(p, leaves, opts);
      resources.push(...r.resources);
      diagnostics.push(...r.diagnostics);
    }
  }
  // One by one: push(...list) takes each as an argument, and 100,000 policies' leaf Services
  // overflowed the stack.
  for (const leaf of leaves.resources()) resources.push(leaf);
  return { resources, diagnostics };
}
