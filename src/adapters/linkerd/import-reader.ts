/**
 * The Linkerd importer's reading and reporting: which objects are Linkerd's (by API group and
 * kind, every served version: policy.linkerd.io v1alpha1 ... v1beta3, gateway.networking.k8s.io
 * v1 and v1beta1), and how a field with no neutral form (AM4260) or whose meaning changes (AM4261)
 * is reported, bound to one field ledger.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { parseDuration } from '../../core/model/duration.js';
import { nativeKinds, SERVICE_KIND } from '../kit/import-kit.js';
import { LINKERD_MESSAGES } from './messages.js';

export type Obj = Record<string, unknown>;

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

/** The same kinds as data, for `anymesh import --from-cluster`, with the leaf Services they route to. */
export const IMPORT_KINDS: readonly NativeKind[] = [
  ...Object.entries(KINDS).flatMap(([group, kinds]) => nativeKinds(group, kinds)),
  SERVICE_KIND,
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

/** The importer's reporting, bound to one ledger. */
export class LinkerdReader {
  constructor(
    readonly ledger: FieldLedger,
    readonly ctx: ImportContext,
  ) {}
  /** A field with no neutral form. */
  lost(o: NativeObject, path: FieldPath, reason: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(LINKERD_MESSAGES.ImportNoNeutralForm, { reason }, at));
  }
  /** A field imported into a form that behaves differently. */
  changed(o: NativeObject, path: FieldPath, how: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(LINKERD_MESSAGES.ImportMeaningChanges, { how }, at));
  }
  /** Every key of the mapping at `path` not in `known` is reported as having no neutral form. */
  rest(o: NativeObject, path: FieldPath, known: readonly string[], what: string): void {
    const v = this.ledger.peek<Obj>(o, path);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    for (const k of Object.keys(v))
      if (!known.includes(k)) this.lost(o, [...path, k], `${what} field ${k} has no neutral form`);
  }
  /** A note on how objects were joined; marks nothing. */
  joined(o: NativeObject, what: string, policy: string, how: string): void {
    this.ledger.note(
      makeDiagnostic(LINKERD_MESSAGES.ImportJoined, { what, policy, how }, this.ledger.at(o, [])),
    );
  }
}

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

/**
 * A Gateway API duration (GEP-2257: up to four number-unit pairs of h, m, s, ms) in milliseconds,
 * or undefined. Linkerd reads rules[].timeouts with its annotation parser (http.rs
 * convert_gateway_rule), so a compound value such as 1m30s is read only by the Gateway API form.
 */
export function gatewayMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(text)) return undefined;
  const r = parseDuration(text);
  return 'ms' in r ? r.ms : undefined;
}
