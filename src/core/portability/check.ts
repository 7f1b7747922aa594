/**
 * Portability: for every policy and every mesh, whether the policy compiles without loss
 * (`lossless`), compiles but behaves differently or loses something (`lossy`), or does not compile
 * (`refused`), with every loss positioned, explained and linked to the mesh's documentation.
 *
 * It reuses the compiler, never a second feature detection: `checkCapabilities` finds the feature
 * uses the mesh refuses, degrades or changes, and `compilePolicies` runs the adapter itself on the
 * policies that pass, so refusals only the adapter knows about (a missing spec.port, a Server
 * overlap, two policies one mesh cannot hold) count too. Overlap analysis (conflicting policies,
 * shadowed rules) runs once, independent of the mesh.
 */
import type { CompileContext, MeshAdapter } from '../adapter.js';
import {
  type CapabilityCell,
  cellForProtocol,
  cellForVersion,
  comparableVersion,
  type PolicyProtocol,
  policyProtocols,
  type SupportLevel,
} from '../capabilities.js';
import { columnOf } from '../columns.js';
import { COMPILED_KINDS, checkCapabilities, compilePolicies } from '../compiler/compile.js';
import { defaultDifferences } from '../defaults.js';
import { CORE_MESSAGES, type Diagnostic, type Level } from '../diagnostics.js';
import { type FeatureId, isFeatureId } from '../features/index.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import { analyzeOverlaps, type OverlapFinding } from '../overlap/analyze.js';

export type Verdict = 'lossless' | 'lossy' | 'refused';

/**
 * What kind of loss:
 * - unsupported: the mesh cannot express a feature (AM3001); the policy is refused.
 * - dropped: a feature or rule was left out (AM3002, AM3008; with --allow-degraded or
 *   onUnsupported: warn).
 * - partial / emulated: the feature compiles but behaves differently (AM3003, AM3004).
 * - adapter: the mesh adapter refused (error) or warned about a behaviour difference (warning).
 * - default: a rule omits timeout or retries and the mesh gives that another meaning (AM3017).
 */
export type LossKind = 'unsupported' | 'dropped' | 'partial' | 'emulated' | 'adapter' | 'default';

export interface Loss {
  readonly kind: LossKind;
  readonly code: string;
  readonly level: Level;
  readonly feature?: FeatureId;
  /** The capability cell's support level on this mesh (and version), when a feature is involved. */
  readonly support?: SupportLevel;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted field path inside the document. */
  readonly path?: string;
  /** The diagnostic message. */
  readonly message: string;
  /** Why: for partial and emulated what behaves differently, for unsupported why not. */
  readonly reason: string;
  /** What to do instead, when the matrix says. */
  readonly workaround?: string;
  /** Upstream documentation: the capability cell's link, else the mesh's documentation home. */
  readonly docs: string;
}

export interface PolicyMeshResult {
  readonly status: Verdict;
  readonly losses: Loss[];
}

export interface PolicyReport {
  /** `Kind/namespace/name` */
  readonly policy: string;
  readonly kind: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Mesh id -> result. */
  readonly results: Record<string, PolicyMeshResult>;
}

export interface MeshReport {
  readonly id: string;
  readonly displayName: string;
  readonly version?: string;
  readonly counts: Record<Verdict, number>;
  /** Errors not tied to one policy: they fail the check. */
  readonly errors: Diagnostic[];
  /** Warnings and notes not tied to one policy (e.g. end of support): reported, not failing. */
  readonly notes: Diagnostic[];
}

export interface PortabilityReport {
  /** True when every policy is lossless on every mesh and nothing else failed. */
  readonly ok: boolean;
  readonly meshes: MeshReport[];
  readonly policies: PolicyReport[];
  readonly overlaps: OverlapFinding[];
}

export interface PortabilityOptions {
  readonly allowDegraded?: boolean;
  /** Compile context per mesh (mesh version, options); the same for all when a plain object. */
  readonly context?: Partial<CompileContext> | ((adapter: MeshAdapter) => Partial<CompileContext>);
}

/** Kinds the check reports on: the compiled ones. */
const CHECKED_KINDS = COMPILED_KINDS;

/** Codes `checkCapabilities` emits; `compilePolicies` repeats them for the policies it compiles. */
const CAPABILITY_CODES = new Set(
  [CORE_MESSAGES.Unsupported, CORE_MESSAGES.Degraded, CORE_MESSAGES.Partial, CORE_MESSAGES.Emulated].map(
    (m) => m.code,
  ),
);

const LOSS_KIND: Record<string, LossKind> = {
  [CORE_MESSAGES.Unsupported.code]: 'unsupported',
  [CORE_MESSAGES.VersionTooOld.code]: 'unsupported',
  [CORE_MESSAGES.Degraded.code]: 'dropped',
  [CORE_MESSAGES.RuleDropped.code]: 'dropped',
  [CORE_MESSAGES.Partial.code]: 'partial',
  [CORE_MESSAGES.Emulated.code]: 'emulated',
  [CORE_MESSAGES.DefaultDiffers.code]: 'default',
};

function toLoss(
  d: Diagnostic,
  adapter: MeshAdapter,
  version: string | undefined,
  options: Readonly<Record<string, string>> | undefined,
  protocol: PolicyProtocol | undefined,
): Loss {
  const feature = d.feature !== undefined && isFeatureId(d.feature) ? d.feature : undefined;
  const cell: CapabilityCell | undefined = feature
    ? cellForVersion(cellForProtocol(columnOf(adapter, options)[feature], protocol), version)
    : undefined;
  const kind = LOSS_KIND[d.code] ?? 'adapter';
  const reason =
    cell && (kind === 'partial' || kind === 'emulated')
      ? (cell.differs ?? cell.reason)
      : cell && kind !== 'adapter' && kind !== 'default'
        ? cell.reason
        : d.message;
  return {
    kind,
    code: d.code,
    level: d.level,
    ...(feature ? { feature } : {}),
    ...(cell ? { support: cell.support } : {}),
    ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.col } : {}),
    ...(d.path ? { path: d.path } : {}),
    message: d.message,
    reason,
    ...(cell?.workaround && cell.support === 'none' ? { workaround: cell.workaround } : {}),
    docs: cell?.docs || adapter.docs,
  };
}

function verdict(losses: readonly Loss[]): Verdict {
  if (losses.some((l) => l.level === 'error')) return 'refused';
  return losses.length ? 'lossy' : 'lossless';
}

/** All diagnostics of one mesh: capability checks for every policy, the adapter's for the rest. */
function meshDiagnostics(
  policies: readonly PolicyDoc[],
  adapter: MeshAdapter,
  allowDegraded: boolean,
  context: Partial<CompileContext>,
): Diagnostic[] {
  const options = { allowDegraded, context };
  const cap = checkCapabilities(policies, adapter, options);
  const refused = new Set(cap.diagnostics.filter((d) => d.level === 'error').map((d) => d.policy));
  const rest = policies.filter((p) => !refused.has(p.ref));
  const compiled = compilePolicies(rest, adapter, options);
  return [
    ...cap.diagnostics,
    ...compiled.diagnostics.filter((d) => !CAPABILITY_CODES.has(d.code)),
    // Omitted timeout or retries the mesh gives another meaning (core/defaults.ts): check only.
    ...defaultDifferences(rest, adapter),
  ];
}

export function checkPortability(
  policies: readonly PolicyDoc[],
  adapters: readonly MeshAdapter[],
  options: PortabilityOptions = {},
): PortabilityReport {
  const checked = policies.filter((p) => CHECKED_KINDS.has(p.kind));
  const reports: PolicyReport[] = checked.map((p) => {
    const at = p.at([]).location;
    return { policy: p.ref, kind: p.kind, file: p.file, line: at.line, column: at.col, results: {} };
  });
  const byRef = new Map(reports.map((r) => [r.policy, r]));
  const protocols = policyProtocols(checked);
  const meshes: MeshReport[] = [];
  for (const adapter of adapters) {
    const context =
      typeof options.context === 'function' ? options.context(adapter) : (options.context ?? {});
    const version = context.meshVersion;
    const diagnostics = meshDiagnostics(checked, adapter, options.allowDegraded === true, context);
    const losses = new Map<string, Loss[]>();
    const errors: Diagnostic[] = [];
    const notes: Diagnostic[] = [];
    for (const d of diagnostics) {
      if (d.policy && byRef.has(d.policy)) {
        if (d.level === 'info') continue;
        losses.set(d.policy, [
          ...(losses.get(d.policy) ?? []),
          toLoss(d, adapter, comparableVersion(adapter, version), context.options, protocols.get(d.policy)),
        ]);
      } else if (d.level === 'error') errors.push(d);
      else notes.push(d);
    }
    const counts: Record<Verdict, number> = { lossless: 0, lossy: 0, refused: 0 };
    for (const r of reports) {
      const list = losses.get(r.policy) ?? [];
      const status = verdict(list);
      counts[status]++;
      r.results[adapter.id] = { status, losses: list };
    }
    meshes.push({
      id: adapter.id,
      displayName: adapter.displayName,
      ...(version ? { version } : {}),
      counts,
      errors,
      notes,
    });
  }
  const overlaps = analyzeOverlaps(checked);
  const ok =
    meshes.every((m) => m.errors.length === 0 && m.counts.lossy === 0 && m.counts.refused === 0) &&
    !overlaps.some((o) => o.diagnostic.level === 'error');
  return { ok, meshes, policies: reports, overlaps };
}
