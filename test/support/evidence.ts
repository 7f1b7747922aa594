/**
 * What the evidence tests count as "a feature reached a mesh's output": the policy file uses it
 * (the usage walk, core/compiler/usage.ts) and the compile neither refused it (AM3001) nor left it
 * out (AM3002). A behaviour tier declares its coverage with `BehaviourCoverage`, one per mesh
 * folder under test/behaviour/, and the registry test compares it with the mesh descriptor's
 * `evidence.behaviour.features` both ways.
 */
import { join } from 'node:path';
import type { MeshAdapter } from '../../src/core/adapter.js';
import { featuresUsed } from '../../src/core/compiler/usage.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { FeatureId } from '../../src/core/features/index.js';
import { compileFiles, loadPolicies } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from './cases.js';

/** Codes that mean a feature did not reach the output. */
const NOT_IN_OUTPUT = new Set(['AM3001', 'AM3002']);

/** The features of a policy file that reached an output compiled with these diagnostics. */
export function featuresInOutput(file: string, diagnostics: readonly Diagnostic[]): Set<FeatureId> {
  const dropped = new Set(diagnostics.filter((d) => NOT_IN_OUTPUT.has(d.code)).map((d) => d.feature));
  const out = new Set<FeatureId>();
  for (const p of loadPolicies([join(ROOT, file)]).policies)
    for (const u of featuresUsed(p)) if (!dropped.has(u.feature)) out.add(u.feature);
  return out;
}

/**
 * The features every golden case puts into a mesh's output when compiled as the integration tier's
 * server-side dry-run compiles them (--allow-degraded): what the accepting component has stored.
 */
export function featuresInGoldenOutput(mesh: MeshAdapter): Set<FeatureId> {
  const out = new Set<FeatureId>();
  for (const c of goldenCases()) {
    const r = compileFiles([join(ROOT, c.file)], mesh, { allowDegraded: true });
    if (!r.ok || r.resources.length === 0) continue;
    for (const f of featuresInOutput(c.file, r.diagnostics)) out.add(f);
  }
  return out;
}

/** A behaviour tier's declaration of what it proves, read by the registry test. */
export interface BehaviourCoverage {
  /** The mesh id, as the folder under test/behaviour/ is named. */
  readonly mesh: string;
  /**
   * The column the tier judges, when it is not the mesh's default one (`MeshAdapter.columns` id):
   * its claim is that column's `evidence.behaviour`.
   */
  readonly column?: string;
  /**
   * Features whose effect the tier's observations compare with the policy's meaning: a feature not
   * listed may be in the output the tier runs, but nothing the mesh's code reports shows it.
   */
  readonly observes: readonly FeatureId[];
  /** The cases the tier runs, each with the diagnostics of the compile it runs on. */
  cases(): readonly { readonly file: string; readonly diagnostics: readonly Diagnostic[] }[];
}

/** The features a tier exercises: in the output of a case it runs, and observed. */
export function exercised(coverage: BehaviourCoverage): FeatureId[] {
  const reached = new Set<FeatureId>();
  for (const c of coverage.cases()) for (const f of featuresInOutput(c.file, c.diagnostics)) reached.add(f);
  return coverage.observes.filter((f) => reached.has(f)).sort();
}
