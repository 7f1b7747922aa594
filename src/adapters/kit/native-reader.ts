/**
 * How an importer reports what it reads, bound to one field ledger: a field with no neutral form,
 * one imported into a form that behaves differently, and a note on objects joined into one
 * policy, each with the importing mesh's own diagnostic. Every importer's reader extends it with
 * what is its own (Consul's options and metadata, App Mesh's cloud-only fields); the Gateway API
 * route reading Istio and Linkerd share (kit/import-route-*.ts) needs only this.
 */
import { type MessageType, makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldLedger, ImportContext, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';

export type Obj = Record<string, unknown>;

/**
 * The mesh's messages the reader reports with: `{reason}`, `{how}` and, for importers that join
 * several objects into one policy and say so, `{what} {policy} {how}`.
 */
export interface ReaderMessages {
  readonly ImportNoNeutralForm: MessageType;
  readonly ImportMeaningChanges: MessageType;
  readonly ImportJoined?: MessageType;
}

export class NativeReader {
  constructor(
    readonly ledger: FieldLedger,
    readonly ctx: ImportContext,
    private readonly messages: ReaderMessages,
  ) {}
  /** A field with no neutral form. */
  lost(o: NativeObject, path: FieldPath, reason: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(this.messages.ImportNoNeutralForm, { reason }, at));
  }
  /** A field imported into a form that behaves differently. */
  changed(o: NativeObject, path: FieldPath, how: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(this.messages.ImportMeaningChanges, { how }, at));
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
    const message = this.messages.ImportJoined;
    if (!message)
      throw new Error('this importer has no message for joined objects (ReaderMessages.ImportJoined)');
    this.ledger.note(makeDiagnostic(message, { what, policy, how }, this.ledger.at(o, [])));
  }
}
