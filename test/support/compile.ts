/** Test helpers: compile YAML text or files through the real pipeline. */
import { ADAPTERS } from '../../src/adapters/index.js';
import type { MeshAdapter } from '../../src/core/adapter.js';
import { type CompileOptions, compilePolicies } from '../../src/core/compiler/compile.js';
import { type Diagnostic, formatDiagnostic } from '../../src/core/diagnostics.js';
import { parseInput } from '../../src/core/loader/loader.js';
import { validateDocuments } from '../../src/core/model/validate.js';

export function load(text: string, file = 'test.yaml') {
  const parsed = parseInput({ name: file, text });
  const validated = validateDocuments(parsed.documents);
  return { policies: validated.policies, diagnostics: [...parsed.diagnostics, ...validated.diagnostics] };
}

export function compileText(
  text: string,
  mesh: MeshAdapter | keyof typeof ADAPTERS,
  options: CompileOptions = {},
) {
  const adapter = typeof mesh === 'string' ? ADAPTERS[mesh]! : mesh;
  const loaded = load(text);
  if (loaded.diagnostics.some((d) => d.level === 'error')) {
    throw new Error(`test input is invalid:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  return compilePolicies(loaded.policies, adapter, options);
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}
