/**
 * The Istio importer's reading and reporting: which objects are Istio's, and how a field that has
 * no neutral form (AM4115) or changes meaning (AM4116) is reported, bound to one field ledger.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { nativeKinds, SERVICE_KIND } from '../kit/import-kit.js';
import { ISTIO_MESSAGES } from './messages.js';

export type Obj = Record<string, unknown>;
export const NETWORKING = 'networking.istio.io/';
export const SECURITY = 'security.istio.io/';

/** The Istio kinds this importer reads, by API group. */
export const IMPORTED: Record<string, string> = {
  VirtualService: NETWORKING,
  DestinationRule: NETWORKING,
  AuthorizationPolicy: SECURITY,
  PeerAuthentication: SECURITY,
};

/** The same kinds as data, for `anymesh import --from-cluster`. */
export const IMPORT_KINDS: readonly NativeKind[] = [
  ...Object.entries(IMPORTED).flatMap(([kind, group]) => nativeKinds(group, [kind])),
  // Services, for the protocol their ports declare (import-services.ts).
  SERVICE_KIND,
];

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
