/**
 * The Consul importer's reading and reporting: which objects are Consul's config entries (as
 * consul-k8s CRDs, consul.hashicorp.com/v1alpha1), how a field without a neutral form (AM4360) or
 * whose meaning changes (AM4361) is reported, and the provenance anymesh itself writes (the
 * `anymesh.dev/source-policies` annotation), all bound to one field ledger.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { type ImportedMeta, nativeKinds, takeMetadata } from '../kit/import-kit.js';
import { API_VERSION } from './entries.js';
import { consulMessages } from './messages.js';
import { type ConsulOptions, parseOptions } from './options.js';

export type Obj = Record<string, unknown>;

/** The config entry kinds this importer reads (the kinds the Consul compile writes). */
export const IMPORTED_KINDS = [
  'ServiceRouter',
  'ServiceSplitter',
  'ServiceResolver',
  'ServiceIntentions',
  'ServiceDefaults',
  'ProxyDefaults',
  'Mesh',
] as const;

export type ImportedKind = (typeof IMPORTED_KINDS)[number];

/** The same kinds with their API group, for `anymesh import --from-cluster`. */
export const IMPORT_KINDS: readonly NativeKind[] = nativeKinds(API_VERSION, IMPORTED_KINDS);

const GROUP = `${API_VERSION.split('/')[0]}/`;

export function isConsul(o: NativeObject): boolean {
  return o.object.apiVersion.startsWith(GROUP);
}

export function isKind(o: NativeObject, kind: ImportedKind): boolean {
  return o.object.kind === kind && isConsul(o);
}

/** A neutral policy a native object names as its source (`Kind/namespace/name`). */
export interface SourceRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const refOf = (s: SourceRef) => `${s.kind}/${s.namespace}/${s.name}`;

/** The importer's reporting and shared reads, bound to one ledger. */
export class ConsulReader {
  readonly options: ConsulOptions;
  private readonly metas = new Map<NativeObject, ImportedMeta>();

  constructor(
    readonly ledger: FieldLedger,
    readonly ctx: ImportContext,
  ) {
    // Bad option values are the CLI's to refuse (it checks --option against the descriptor); here
    // the defaults fill in.
    this.options = parseOptions(ctx).options;
  }

  /** The object's metadata, taken once (several modules read the same entry). */
  meta(o: NativeObject): ImportedMeta {
    let m = this.metas.get(o);
    if (!m) {
      m = takeMetadata(this.ledger, o);
      this.metas.set(o, m);
      // A config entry's admin partition (Enterprise; the CRDs have none: a cluster is in one).
      this.takeDefault(
        o,
        ['metadata', 'partition'],
        (v) => v === '' || v === 'default',
        'an admin partition other than default: the imported policies are of this cluster, with no partition',
      );
    }
    return m;
  }

  /** The neutral policies of `kind` the object says it was compiled from (anymesh's own output). */
  sources(o: NativeObject, kind: string): SourceRef[] {
    return (this.meta(o).sources ?? []).filter((s) => s.kind === kind);
  }

  /** A field with no neutral form. */
  lost(o: NativeObject, path: FieldPath, reason: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(consulMessages.ImportNoNeutralForm, { reason }, at));
  }

  /** A field imported into a form that behaves differently. */
  changed(o: NativeObject, path: FieldPath, how: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(consulMessages.ImportMeaningChanges, { how }, at));
  }

  /** Every key of the mapping at `path` not in `known` is reported as having no neutral form. */
  rest(o: NativeObject, path: FieldPath, known: readonly string[], what: string): void {
    const v = this.ledger.peek<Obj>(o, path);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    for (const k of Object.keys(v))
      if (!known.includes(k)) this.lost(o, [...path, k], `${what} field ${k} has no neutral form`);
  }

  /** Takes a field whose value is the default (no meaning of its own); reports any other value. */
  takeDefault(o: NativeObject, path: FieldPath, isDefault: (v: unknown) => boolean, reason: string): void {
    const v = this.ledger.peek(o, path);
    if (v === undefined) return;
    if (isDefault(v)) this.ledger.take(o, path);
    else this.lost(o, path, reason);
  }
}

/** Consul names a service by its name alone on Community Edition; Enterprise adds a namespace. */
export function sameNamespace(r: ConsulReader, o: NativeObject, ns: unknown): boolean {
  return ns === undefined || ns === '' || ns === o.namespace || (!r.options.enterprise && ns === 'default');
}
