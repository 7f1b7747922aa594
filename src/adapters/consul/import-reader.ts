import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { type ImportedMeta, nativeKinds, takeMetadata } from '../kit/import-kit.js';
import { NativeReader } from '../kit/native-reader.js';
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
export class ConsulReader extends NativeReader {
  readonly options: ConsulOptions;
  private readonly metas = new Map<NativeObject, ImportedMeta>();

  constructor(ledger: FieldLedger, ctx: ImportContext) {
    super(ledger, ctx, consulMessages);
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
