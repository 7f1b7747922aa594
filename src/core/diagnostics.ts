/**
 * Diagnostics: every problem anymesh reports, from one catalogue of stable codes (in the manner of
 * Istio's `messages.yaml`). Tests assert codes, never wording, so the templates can be improved
 * freely; a code, once published, keeps its meaning.
 *
 * Code ranges: AM1xxx input (files, YAML), AM2xxx model validation, AM3xxx capability and
 * compilation, AM4xxx mesh adapters (AM41 Istio, AM42 Linkerd, AM43 Consul, AM44 App Mesh),
 * AM5xxx cluster operations.
 */

export type Level = 'error' | 'warning' | 'info';

export interface MessageType {
  readonly code: string;
  readonly level: Level;
  /** A short name, for `anymesh explain` and docs. */
  readonly name: string;
  /** Text with `{param}` placeholders. */
  readonly template: string;
}

export interface SourceLocation {
  readonly file: string;
  /** 1-based; 0 when the position is unknown (e.g. an input read whole). */
  readonly line: number;
  readonly col: number;
}

export interface Diagnostic {
  readonly code: string;
  readonly level: Level;
  readonly message: string;
  readonly location?: SourceLocation;
  /** Dotted field path inside the document, e.g. `spec.rules[0].backends[1].weight`. */
  readonly path?: string;
  /** The policy the diagnostic is about: `Kind/namespace/name`. */
  readonly policy?: string;
  /** The capability feature id, for AM3xxx. */
  readonly feature?: string;
}

/** A catalogue entry; adapters define theirs with it too. */
export const message = (code: string, level: Level, name: string, template: string): MessageType => ({
  code,
  level,
  name,
  template,
});
const m = message;

/** The core catalogue. Adapters add their own ranges through `MeshAdapter.messages`. */
export const CORE_MESSAGES = {
  FileNotFound: m('AM1001', 'error', 'FileNotFound', 'cannot read {what}: {reason}'),
  NoInput: m(
    'AM1002',
    'error',
    'NoInput',
    'no policy documents found in {what}; give files, directories or - for stdin',
  ),
  BinaryInput: m(
    'AM1003',
    'error',
    'BinaryInput',
    'this is not a text file (it contains NUL bytes); give YAML files',
  ),
  InputTooLarge: m(
    'AM1004',
    'error',
    'InputTooLarge',
    'input is {size} bytes, over the limit of {limit}; split it into smaller files',
  ),
  YamlSyntax: m('AM1005', 'error', 'YamlSyntax', 'YAML syntax error: {reason}'),
  YamlAliasLimit: m(
    'AM1006',
    'error',
    'YamlAliasLimit',
    'YAML aliases expand too far ({reason}); write the document without alias bombs',
  ),
  YamlTooDeep: m(
    'AM1007',
    'error',
    'YamlTooDeep',
    'document nests deeper than {limit} levels; policies are never that deep',
  ),
  NotAnObject: m(
    'AM1008',
    'error',
    'NotAnObject',
    'a document must be a mapping with apiVersion, kind, metadata and spec; got {got}',
  ),
  UnknownApiVersion: m(
    'AM1009',
    'error',
    'UnknownApiVersion',
    'apiVersion is {got}; anymesh reads {expected}',
  ),
  UnknownKind: m(
    'AM1010',
    'error',
    'UnknownKind',
    'kind {got} is not an anymesh kind; use one of {expected}',
  ),
  TooManyDocuments: m(
    'AM1011',
    'error',
    'TooManyDocuments',
    'more than {limit} documents in one input; split it',
  ),
  DuplicateKey: m('AM1012', 'error', 'DuplicateKey', 'key {key} appears twice in one mapping; keep one'),

  SchemaRequired: m('AM2001', 'error', 'MissingField', 'required field {field} is missing; {hint}'),
  SchemaUnknownField: m('AM2002', 'error', 'UnknownField', 'unknown field {field}; {hint}'),
  SchemaType: m('AM2003', 'error', 'WrongType', 'must be {expected}, got {got}'),
  SchemaEnum: m('AM2004', 'error', 'NotAllowed', 'value {got} is not allowed; use one of {expected}'),
  SchemaRange: m('AM2005', 'error', 'OutOfRange', '{got} is out of range: {expected}'),
  SchemaPattern: m('AM2006', 'error', 'BadFormat', '{got} is not {expected}'),
  SchemaOther: m('AM2007', 'error', 'Invalid', '{reason}'),
  WeightsSum: m('AM2010', 'error', 'WeightsSum', 'backend weights sum to {sum}; they must sum to 100'),
  WeightMissing: m(
    'AM2011',
    'error',
    'WeightMissing',
    'a rule with several backends needs a weight on each; add weight (integers summing to 100)',
  ),
  UndefinedVersion: m(
    'AM2012',
    'error',
    'UndefinedVersion',
    'version {version} is not defined in spec.versions; defined: {defined}',
  ),
  BadDuration: m('AM2013', 'error', 'BadDuration', 'duration {got} is not valid: {reason}'),
  BadRegex: m('AM2014', 'error', 'BadRegex', '{got} is not a valid RE2 regular expression: {reason}'),
  BadHeaderName: m(
    'AM2015',
    'error',
    'BadHeaderName',
    "{got} is not a valid HTTP header name; use letters, digits and !#$%&'*+-.^_`|~",
  ),
  BadName: m('AM2016', 'error', 'BadName', '{got} is not a valid {what}: {rule}'),
  DuplicatePolicy: m(
    'AM2017',
    'error',
    'DuplicatePolicy',
    '{policy} is defined twice; the other is at {other}',
  ),
  BackendTarget: m(
    'AM2018',
    'error',
    'BackendTarget',
    'a backend names either version or service, exactly one',
  ),
  MatchKind: m('AM2019', 'error', 'MatchKind', 'give exactly one of {expected}'),
  PresentFalse: m(
    'AM2020',
    'error',
    'PresentFalse',
    'present must be true; to require absence, reorder rules instead',
  ),
  AbortKind: m('AM2021', 'error', 'AbortKind', 'an abort gives exactly one of status or grpcStatus'),
  RetryOn: m(
    'AM2022',
    'error',
    'RetryOn',
    'retry condition {got} is not known; use {expected} or an HTTP status code',
  ),
  BadPath: m('AM2023', 'error', 'BadPath', 'path {got} is not valid: {reason}'),
  ScopeConflict: m('AM2024', 'error', 'ScopeConflict', '{reason}'),
  DuplicateEntry: m('AM2025', 'error', 'DuplicateEntry', '{what} {got} appears twice; keep one'),
  BackoffOrder: m('AM2026', 'error', 'BackoffOrder', 'backoff max {max} is shorter than base {base}'),
  DuplicateRuleName: m(
    'AM2027',
    'error',
    'DuplicateRuleName',
    'rule name {got} is used twice in this policy',
  ),
  DurationRange: m('AM2028', 'error', 'DurationRange', 'duration {got} is out of range: {expected}'),

  Unsupported: m(
    'AM3001',
    'error',
    'UnsupportedFeature',
    '{mesh} cannot express {feature}: {reason}{workaround}',
  ),
  Degraded: m('AM3002', 'warning', 'FeatureDropped', '{feature} was left out for {mesh} ({why}): {reason}'),
  Partial: m('AM3003', 'warning', 'PartialSupport', '{mesh} supports {feature} only in part: {differs}'),
  Emulated: m('AM3004', 'warning', 'EmulatedFeature', '{mesh} emulates {feature}: {differs}'),
  SelectorDefaulted: m(
    'AM3005',
    'info',
    'SelectorDefaulted',
    'spec.selector not given: assuming the pods of {service} carry {labels}; set spec.selector if they do not',
  ),
  PolicyConflict: m('AM3006', 'error', 'PolicyConflict', '{reason}'),
  NothingToCompile: m('AM3007', 'info', 'NotCompiled', '{kind} documents are not compiled; {why}'),
  RuleDropped: m(
    'AM3008',
    'warning',
    'RuleDropped',
    'rule {rule} was left out for {mesh}: all of its matches used features it cannot express',
  ),
  VersionTooOld: m(
    'AM3009',
    'error',
    'MeshVersionTooOld',
    '{mesh} {version} cannot express {feature}: needs {minVersion} or later',
  ),
  EndOfSupport: m('AM3010', 'warning', 'MeshEndOfSupport', '{mesh}: {advice}'),
  OverlapConflict: m(
    'AM3011',
    'error',
    'OverlappingPolicies',
    '{subject} and {other} (at {where}) both govern {route} but set {what} differently, and meshes resolve such overlaps differently; {hint}',
  ),
  ShadowedRule: m(
    'AM3012',
    'warning',
    'ShadowedRule',
    'rule {rule} is never reached: {by} (at {where}) comes first and always catches its requests (first match wins); remove it or move it before {earlier}',
  ),
  ShadowedMatch: m(
    'AM3013',
    'warning',
    'ShadowedMatch',
    'match entry {entry} of rule {rule} is never reached: {by} (at {where}) comes first and always catches it; remove the entry or move the rule up',
  ),

  ClusterError: m('AM5001', 'error', 'ClusterError', '{reason}'),
  // Cluster operations (src/cluster): apply, diff, delete, prune. `{object}` is `Kind namespace/name`.
  ClusterUnreachable: m(
    'AM5002',
    'error',
    'ClusterUnreachable',
    'cannot reach the API server at {server}: {reason}; check the kubeconfig context and that the cluster is up',
  ),
  ResourceTypeMissing: m(
    'AM5003',
    'error',
    'ResourceTypeMissing',
    '{object}: the cluster does not serve {kind} ({apiVersion}); install the mesh CRDs first (anymesh install {mesh})',
  ),
  NamespaceMissing: m(
    'AM5004',
    'error',
    'NamespaceMissing',
    'namespace {namespace} does not exist (needed by {objects}); create it first (kubectl create namespace {namespace})',
  ),
  ServerRejected: m('AM5005', 'error', 'ServerRejected', '{object}: the API server rejected it: {reason}'),
  Forbidden: m(
    'AM5006',
    'error',
    'Forbidden',
    '{object}: forbidden: you may not {verb} {resource}{where}; ask for RBAC permission to {verb} it ({reason})',
  ),
  FieldConflict: m(
    'AM5007',
    'error',
    'FieldConflict',
    '{object}: fields owned by another field manager: {reason}; rerun with --force-conflicts to take them over',
  ),
  WriteFailed: m('AM5008', 'error', 'WriteFailed', '{object}: {verb} failed: {reason}'),
  ApplySetForeign: m(
    'AM5009',
    'error',
    'ApplySetForeign',
    'the ApplySet parent {parent} is managed by {tooling}, not anymesh; choose another --applyset name',
  ),
  NothingWritten: m('AM5010', 'info', 'NothingWritten', 'nothing was written: {reason}'),
  PartiallyApplied: m(
    'AM5011',
    'error',
    'PartiallyApplied',
    '{done} of {total} writes were made before the failure; run the same apply again to converge',
  ),
  PruneSkippedForeign: m(
    'AM5012',
    'warning',
    'PruneSkippedForeign',
    '{object} carries this ApplySet part-of label but was not applied by anymesh (no field manager anymesh); left in place',
  ),
  DeleteSkippedForeign: m(
    'AM5013',
    'warning',
    'DeleteSkippedForeign',
    '{object} exists but was not made by anymesh ({why}); left in place',
  ),

  // Installing, upgrading and discovering meshes (src/cluster/install, src/cluster/discovery.ts).
  InstallPreflightFailed: m(
    'AM5050',
    'error',
    'InstallPreflightFailed',
    '{mesh} {version}: preflight {check} failed: {reason}',
  ),
  InstallNotReady: m(
    'AM5051',
    'error',
    'InstallNotReady',
    '{mesh} {version}: {object} not ready within the timeout: {reason}',
  ),
  InstallHelmFailed: m('AM5052', 'error', 'InstallHelmFailed', '{release}: {reason}'),
  UpgradeRemovesCrds: m(
    'AM5053',
    'error',
    'UpgradeRemovesCrds',
    '{release} {version} would remove CRDs that anymesh-managed objects still use: {objects}; delete them first (anymesh delete) or pass --force',
  ),
  UninstallRefused: m(
    'AM5054',
    'error',
    'UninstallRefused',
    '{count} anymesh-managed {policies} still {verb} on {mesh}: {objects}; delete them (anymesh delete) or pass --force',
  ),
  UninstallNotHelm: m(
    'AM5055',
    'error',
    'UninstallNotHelm',
    '{mesh} in {namespace} was not installed with Helm: anymesh does not remove it',
  ),
  InstallRolledBack: m('AM5056', 'warning', 'InstallRolledBack', '{release}: {how}'),
} as const satisfies Record<string, MessageType>;

export type CoreMessage = keyof typeof CORE_MESSAGES;

export type DiagnosticParams = Readonly<Record<string, string | number>>;

/** Fills a template: `{name}` is replaced by the parameter of that name. */
export function formatTemplate(template: string, params: DiagnosticParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(params, key) ? String(params[key]) : whole,
  );
}

export interface DiagnosticContext {
  readonly location?: SourceLocation;
  readonly path?: string;
  readonly policy?: string;
  readonly feature?: string;
}

export function makeDiagnostic(
  type: MessageType,
  params: DiagnosticParams,
  ctx: DiagnosticContext = {},
): Diagnostic {
  return { code: type.code, level: type.level, message: formatTemplate(type.template, params), ...ctx };
}

/** Shorthand for core messages. */
export function diag(
  name: CoreMessage,
  params: DiagnosticParams = {},
  ctx: DiagnosticContext = {},
): Diagnostic {
  return makeDiagnostic(CORE_MESSAGES[name], params, ctx);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.level === 'error');
}

/** `file:line:col: level CODE: path: message` — the format editors and CI logs understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location
    ? d.location.line > 0
      ? `${d.location.file}:${d.location.line}:${d.location.col}: `
      : `${d.location.file}: `
    : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${d.level} ${d.code}: ${path}${d.message}`;
}

/** Orders diagnostics by file, line, column, then code, so output is stable. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.col ?? 0) - (b.location?.col ?? 0) ||
      a.code.localeCompare(b.code) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
}
