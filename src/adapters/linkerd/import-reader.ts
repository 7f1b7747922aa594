/**
 * The Linkerd importer's reading and reporting: which objects are Linkerd's (by API group and
 * kind, every served version: policy.linkerd.io v1alpha1 ... v1beta3, gateway.networking.k8s.io
 * v1 and v1beta1), and how a field with no neutral form (AM4260) or whose meaning changes (AM4261)
 * is reported, bound to one field ledger.
 */
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import { namespaceKind, nativeKinds, SERVICE_KIND, workloadKinds } from '../kit/import-kit.js';
import type { RouteDialect } from '../kit/import-route-dialect.js';
import { NativeReader } from '../kit/native-reader.js';
import { LINKERD_MESSAGES } from './messages.js';

export type { Obj } from '../kit/native-reader.js';

export const POLICY = 'policy.linkerd.io/';
export const GATEWAY = 'gateway.networking.k8s.io/';
export const PROFILES = 'linkerd.io/';

/** Kinds the importer reads, by API group prefix. Core Services and Namespaces are read too. */
const KINDS: Record<string, readonly string[]> = {
  [POLICY]: [
    'HTTPRoute',
    'GRPCRoute',
    'Server',
    'AuthorizationPolicy',
    'MeshTLSAuthentication',
    'NetworkAuthentication',
    'HTTPLocalRateLimitPolicy',
    'ServerAuthorization',
  ],
  [GATEWAY]: ['HTTPRoute', 'GRPCRoute'],
  [PROFILES]: ['ServiceProfile'],
};

/**
 * The same kinds as data, for `anymesh import --from-cluster`, with the leaf Services they route
 * to, the Namespaces whose default inbound policy is an MTLSPolicy (import-security.ts), and the
 * workloads whose container ports give a Server's named port its number (import-servers.ts).
 */
export const IMPORT_KINDS: readonly NativeKind[] = [
  ...Object.entries(KINDS).flatMap(([group, kinds]) => nativeKinds(group, kinds)),
  SERVICE_KIND,
  namespaceKind("the namespaces' default inbound policies (config.linkerd.io/default-inbound-policy)"),
  ...workloadKinds('the numbers of the container ports that Servers name'),
];

/** The API group of an object (`policy.linkerd.io/`), or '' for the core group (`v1`). */
export function groupOf(o: NativeObject): string {
  const v = o.object.apiVersion;
  return v.includes('/') ? `${v.slice(0, v.indexOf('/'))}/` : '';
}

export function isKind(o: NativeObject, group: string, kind: string): boolean {
  return o.object.kind === kind && groupOf(o) === group && (KINDS[group]?.includes(kind) ?? group === '');
}

/** Whether the importer reads objects of this group and kind at all. */
export function isLinkerdKind(o: NativeObject): boolean {
  return KINDS[groupOf(o)]?.includes(o.object.kind) ?? false;
}

/** The importer's reporting, with Linkerd's diagnostics (AM4260-AM4262). */
export class LinkerdReader extends NativeReader {
  constructor(ledger: FieldLedger, ctx: ImportContext) {
    super(ledger, ctx, LINKERD_MESSAGES);
  }
}

/**
 * How Linkerd reads Gateway API routes: regular expressions as Gateway API leaves them (a search,
 * not anchored), a RegularExpression path above every PathPrefix, header filters and redirects
 * only on outbound routes (http.rs convert_gateway_filter), a rule without backendRefs to the
 * parent Service.
 */
export const LINKERD_ROUTES: RouteDialect = {
  mesh: 'Linkerd',
  wholeValueRegex: false,
  regexAbovePrefix: true,
  filters: new Set(),
  refusedFilter: (type) =>
    `Linkerd refuses ${type} filters on outbound routes (the route is not used), so there is nothing to import`,
  missingPort: (service) =>
    `Linkerd fails the requests of a Service backendRef without a port ("missing port for backend Service ${service}")`,
};

/**
 * A duration as Linkerd's annotation parser reads it (policy-controller/k8s/index/src/outbound/
 * index.rs `parse_duration`: one integer and a unit ms, s, m, h or d; a bare 0), in milliseconds,
 * or undefined when Linkerd would refuse it.
 */
export function linkerdMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || (m[2] === undefined && m[1] !== '0')) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}
