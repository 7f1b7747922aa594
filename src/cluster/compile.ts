/** Compilation for cluster commands: the pipeline of `anymesh compile`, with `-n` as the default namespace. */
import type { MeshAdapter } from '../core/adapter.js';
import { type CompileOptions, type CompileResult, compilePolicies } from '../core/compiler/compile.js';
import { sortDiagnostics } from '../core/diagnostics.js';
import { loadPolicies } from '../core/pipeline.js';

export function compileForCluster(
  paths: readonly string[],
  adapter: MeshAdapter,
  options: CompileOptions & { defaultNamespace?: string; strictKinds?: boolean },
  stdin?: () => Buffer,
): CompileResult & { skipped: Readonly<Record<string, number>> } {
  const loaded = loadPolicies(paths, stdin, {
    ...(options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {}),
    ...(options.strictKinds ? { strictKinds: true } : {}),
  });
  const skipped = loaded.skipped;
  if (!loaded.ok) return { ok: false, resources: [], diagnostics: loaded.diagnostics, skipped };
  const r = compilePolicies(loaded.policies, adapter, options);
  return { ...r, diagnostics: sortDiagnostics([...loaded.diagnostics, ...r.diagnostics]), skipped };
}
