/**
 * The compiler driver: checks each policy's features against the target mesh's capability
 * column, refuses or leaves out what the mesh cannot express (never silently), and hands the rest
 * to the adapter. Pure: same policies and options, byte-identical result.
 */
import {
  type AdapterResult,
  type CompileContext,
  DEFAULT_CONTEXT,
  type KubeObject,
  type MeshAdapter,
  sortResources,
} from '../adapter.js';
import {
  type CapabilityCell,
  cellForProtocol,
  cellForVersion,
  comparableVersion,
  policyProtocols,
} from '../capabilities.js';
import { columnOf } from '../columns.js';
import { type Diagnostic, diag, hasErrors } from '../diagnostics.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import type { MTLSPolicy } from '../model/schema.js';
import { degrade } from './degrade.js';
import { duplicateNames, onePerMtlsScope } from './neutral-rules.js';
import { type FeatureUse, featuresUsed } from './usage.js';

export interface CompileOptions {
  /** Leave out what the mesh cannot express, with a warning, instead of failing. */
  readonly allowDegraded?: boolean;
  readonly context?: Partial<CompileContext>;
}

export interface CompileResult extends AdapterResult {
  /** True when nothing failed; resources are only meaningful then. */
  readonly ok: boolean;
}

/** Policy kinds the compiler turns into mesh resources (and `anymesh check` judges). */
export const COMPILED_KINDS: ReadonlySet<string> = new Set([
  'TrafficPolicy',
  'AccessPolicy',
  'MTLSPolicy',
  'BackendPolicy',
]);

export interface CapabilityCheck {
  readonly diagnostics: Diagnostic[];
  /** Uses to leave out, per policy ref. */
  readonly drops: Map<string, FeatureUse[]>;
}

/** Checks policies against an adapter's matrix column; used by compile and by `anymesh check`. */
export function checkCapabilities(
  policies: readonly PolicyDoc[],
  adapter: MeshAdapter,
  options: CompileOptions = {},
): CapabilityCheck {
  const diagnostics: Diagnostic[] = [];
  const drops = new Map<string, FeatureUse[]>();
  // The text of a feature's diagnostic is the same for every policy (but a whole policy left out,
  // which names it): made once per feature and kind of outcome. Linkerd, Consul and App Mesh
  // report ~6 per policy under --allow-degraded, and formatting each was a tenth of compiling.
  const texts = new Map<string, Pick<Diagnostic, 'code' | 'level' | 'message'>>();
  // The protocol is in the key: a feature's cell may differ by the policy's protocol (byProtocol).
  const shared = (
    cell: CapabilityCell,
    use: FeatureUse,
    protocol: string | undefined,
    degradeAllowed: boolean,
    why: string,
  ) => {
    const key = `${use.feature}\u0000${protocol}\u0000${cell.support}\u0000${degradeAllowed ? why : ''}`;
    let text = texts.get(key);
    if (!text) {
      text = capabilityMessage(cell, use, undefined, adapter, degradeAllowed, why);
      texts.set(key, text);
    }
    return text;
  };
  // As the mesh names its versions (Linkerd's edge-26.8.3 is 2.20), compared as cells are written.
  const version = comparableVersion(adapter, options.context?.meshVersion);
  const column = columnOf(adapter, options.context?.options);
  const protocols = policyProtocols(policies);
  for (const p of policies) {
    if (!COMPILED_KINDS.has(p.kind)) continue;
    const onUnsupported = (p.policy.spec as { onUnsupported?: string }).onUnsupported ?? 'reject';
    const degradeAllowed = options.allowDegraded === true || onUnsupported === 'warn';
    const why = options.allowDegraded ? '--allow-degraded' : 'onUnsupported: warn';
    // A partial or emulated feature is said once per policy, at its first use: the text is about
    // the feature, and repeating it for every use buries the rest. Refusals are said at every use,
    // since each is a place to fix.
    const warned = new Set<string>();
    const protocol = protocols.get(p.ref);
    for (const use of featuresUsed(p)) {
      const cell = cellForVersion(cellForProtocol(column[use.feature], protocol), version);
      if (cell.support === 'full') continue;
      if (cell.support !== 'none') {
        if (warned.has(use.feature)) continue;
        warned.add(use.feature);
      }
      const wholePolicy = cell.support === 'none' && degradeAllowed && use.scope === 'policy';
      // Positions are computed only for what is reported: finding one parses the file again.
      const at = p.at(use.path);
      diagnostics.push({
        ...(wholePolicy
          ? capabilityMessage(cell, use, p, adapter, degradeAllowed, why)
          : shared(cell, use, protocol, degradeAllowed, why)),
        location: at.location,
        path: at.path,
        policy: at.policy,
        feature: use.feature,
      });
      if (cell.support === 'none' && degradeAllowed) {
        const list = drops.get(p.ref) ?? [];
        list.push(use);
        drops.set(p.ref, list);
      }
    }
  }
  return { diagnostics, drops };
}

/** A capability diagnostic without its position: `p` only for a whole policy left out (it names it). */
function capabilityMessage(
  cell: CapabilityCell,
  use: FeatureUse,
  p: PolicyDoc | undefined,
  adapter: MeshAdapter,
  degradeAllowed: boolean,
  why: string,
): Pick<Diagnostic, 'code' | 'level' | 'message'> {
  const params = { mesh: adapter.displayName, feature: use.feature };
  switch (cell.support) {
    case 'partial':
      return diag('Partial', { ...params, differs: cell.differs ?? cell.reason });
    case 'emulated':
      return diag('Emulated', { ...params, differs: cell.differs ?? cell.reason });
    default: {
      if (degradeAllowed) {
        const what =
          p && use.scope === 'policy'
            ? `the whole policy ${p.ref} is left out${p.kind === 'AccessPolicy' || p.kind === 'MTLSPolicy' ? ': it restricts NOTHING on this mesh' : ''}`
            : cell.reason;
        return diag('Degraded', { ...params, why, reason: what });
      }
      const workaround = cell.workaround ? `. Instead: ${cell.workaround}` : '';
      return diag('Unsupported', { ...params, reason: cell.reason, workaround });
    }
  }
}

export function compilePolicies(
  policies: readonly PolicyDoc[],
  adapter: MeshAdapter,
  options: CompileOptions = {},
): CompileResult {
  const ctx: CompileContext = { ...DEFAULT_CONTEXT, ...options.context };
  const diagnostics: Diagnostic[] = [];
  if (adapter.endOfSupport) {
    diagnostics.push(
      diag('EndOfSupport', { mesh: adapter.displayName, advice: adapter.endOfSupport.advice }),
    );
  }
  for (const p of policies) {
    if (!COMPILED_KINDS.has(p.kind)) {
      diagnostics.push(
        diag('NothingToCompile', { kind: p.kind, why: 'use it with `anymesh install`' }, p.at(['kind'])),
      );
    }
  }
  const check = checkCapabilities(policies, adapter, options);
  // One by one: push(...list) passes each as an argument, and 100,000 policies' warnings (over
  // 600,000 on Linkerd with --allow-degraded) overflowed the stack.
  for (const d of check.diagnostics) diagnostics.push(d);
  if (hasErrors(diagnostics)) return { ok: false, resources: [], diagnostics };

  const effective: PolicyDoc[] = [];
  for (const p of policies) {
    if (!COMPILED_KINDS.has(p.kind)) continue;
    const drops = check.drops.get(p.ref) ?? [];
    const r = degrade(p.policy, drops);
    for (const rule of r.droppedRules) {
      diagnostics.push(
        diag(
          'RuleDropped',
          { rule: rule.name, mesh: adapter.displayName },
          p.at(['spec', 'rules', rule.index]),
        ),
      );
    }
    if (r.policy) effective.push(r.policy === p.policy ? p : { ...p, policy: r.policy });
  }
  // Mesh-neutral rules, the same for every mesh: one mTLS mode per scope ...
  const mtls = onePerMtlsScope(effective.filter((p) => p.kind === 'MTLSPolicy') as PolicyDoc<MTLSPolicy>[]);
  for (const d of mtls.diagnostics) diagnostics.push(d);
  if (hasErrors(diagnostics)) return { ok: false, resources: [], diagnostics };
  let result: AdapterResult;
  try {
    result = adapter.compile(effective, ctx);
  } catch (e) {
    // An adapter bug must still end in a clear message, not a stack trace for the user.
    diagnostics.push(
      diag('InternalError', { mesh: adapter.displayName, reason: (e as Error)?.message ?? String(e) }),
    );
    return { ok: false, resources: [], diagnostics };
  }
  for (const d of result.diagnostics) diagnostics.push(d);
  // ... and never two outputs of one name (one would silently overwrite the other).
  for (const d of duplicateNames(result.resources)) diagnostics.push(d);
  const ok = !hasErrors(diagnostics);
  return { ok, resources: ok ? sortResources(result.resources) : [], diagnostics };
}

export type { KubeObject };
