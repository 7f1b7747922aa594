/**
 * The App Mesh importer's reading and reporting: which objects are App Mesh's, how a field with no
 * neutral form (AM4460), a changed meaning (AM4461) or cloud-only configuration (AM4462) is
 * reported, App Mesh durations and host names, all bound to one field ledger.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { formatDuration } from '../../core/model/duration.js';
import { namespaceKind, nativeKinds, SERVICE_KIND } from '../kit/import-kit.js';
import { NativeReader } from '../kit/native-reader.js';
import { APPMESH_MESSAGES } from './messages.js';
import { API_VERSION } from './resources.js';

export type Obj = Record<string, unknown>;

/** The App Mesh kinds of appmesh.k8s.aws/v1beta2 (controller v1.13.3 CRDs). */
export const APPMESH_KINDS = [
  'Mesh',
  'VirtualService',
  'VirtualRouter',
  'VirtualNode',
  'VirtualGateway',
  'GatewayRoute',
  'BackendGroup',
] as const;

/** The same kinds as data, for `anymesh import --from-cluster`, with the per-version Services. */
export const IMPORT_KINDS: readonly NativeKind[] = [
  ...nativeKinds(API_VERSION, APPMESH_KINDS),
  SERVICE_KIND,
  // The labels a VirtualGateway's namespaceSelector takes its GatewayRoutes' namespaces by.
  namespaceKind("the namespaces' labels that VirtualGateways select GatewayRoutes by"),
];

export function isKind(o: NativeObject, kind: (typeof APPMESH_KINDS)[number]): boolean {
  return o.object.kind === kind && o.object.apiVersion === API_VERSION;
}

export function isAppMesh(o: NativeObject): boolean {
  return o.object.apiVersion.startsWith('appmesh.k8s.aws/');
}

/** The importer's reporting, bound to one ledger. */
export class AppMeshReader extends NativeReader {
  constructor(ledger: FieldLedger, ctx: ImportContext) {
    super(ledger, ctx, APPMESH_MESSAGES);
  }
  cloud(o: NativeObject, path: FieldPath, what: string, why: string): void {
    this.ledger.report(o, path, (at) => makeDiagnostic(APPMESH_MESSAGES.ImportCloudOnly, { what, why }, at));
  }
  /** Reports the field if it is there. */
  lostIf(o: NativeObject, path: FieldPath, reason: string): void {
    if (this.ledger.peek(o, path) !== undefined) this.lost(o, path, reason);
  }
  /** An info note at a field, marking nothing (the field is imported by its reader). */
  option(o: NativeObject, path: FieldPath, what: string, option: string): void {
    this.ledger.note(
      makeDiagnostic(APPMESH_MESSAGES.ImportAdapterOption, { what, option }, this.ledger.at(o, path)),
    );
  }
  /**
   * An App Mesh Duration `{value, unit: s|ms}` in milliseconds, or undefined (reported) when it is
   * not one. Not taken: callers decide whether the value carries over.
   */
  durationMs(o: NativeObject, path: FieldPath): number | undefined {
    const d = this.ledger.peek<Obj>(o, path);
    if (d === undefined) return undefined;
    const value = d?.value;
    const unit = d?.unit;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0 ||
      (unit !== 's' && unit !== 'ms')
    ) {
      this.lost(o, path, `${JSON.stringify(d)} is not an App Mesh duration ({value, unit: s|ms})`);
      return undefined;
    }
    this.rest(o, path, ['value', 'unit'], 'duration');
    return unit === 's' ? value * 1000 : value;
  }
}

/** A duration in the neutral form (shortest exact text, as anymesh writes it). */
export function neutral(ms: number): string {
  return formatDuration(ms);
}

/**
 * The Kubernetes Service behind an App Mesh DNS name: `svc`, `svc.ns` (the VirtualService's
 * default awsName, `${name}.${namespace}`, which Kubernetes DNS search paths resolve), `svc.ns.svc`
 * or `svc.ns.svc.<cluster domain>`. Anything else (external names, Cloud Map names) is undefined.
 */
export function serviceOfMeshHost(
  host: string,
  namespace: string,
  ctx: ImportContext,
): { service: string; namespace: string } | undefined {
  const label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  let parts = host.split('.');
  const domain = `svc.${ctx.clusterDomain}`.split('.');
  if (parts.length === 2 + domain.length && parts.slice(2).join('.') === domain.join('.'))
    parts = parts.slice(0, 2);
  else if (parts.length === 3 && parts[2] === 'svc') parts = parts.slice(0, 2);
  if (parts.length === 1) parts = [parts[0]!, namespace];
  if (parts.length !== 2 || !parts.every((p) => label.test(p))) return undefined;
  return { service: parts[0]!, namespace: parts[1]! };
}
