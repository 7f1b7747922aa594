/**
 * The import path as the CLI and `migrate plan` use it: load native files (the policy loader, so
 * every native field has file:line:col) -> native objects -> the source's importer -> the imported
 * policies rendered and validated exactly as policy files are (so an import never hands on a
 * policy `anymesh validate` would refuse).
 */
import { DEFAULT_CONTEXT } from './adapter.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import {
  type ImportContext,
  type ImportResult,
  type ImportSource,
  type NativeObject,
  nativeObjects,
} from './import.js';
import { type LoadResult, loadDocuments } from './loader/loader.js';
import { type LoadedPolicies, loadInputs } from './pipeline.js';
import { renderYaml } from './render.js';

/** The name imported policies carry in diagnostics about them, before they are written anywhere. */
export const IMPORTED_INPUT = '<imported>';

export interface ImportRun extends ImportResult {
  /** The imported policies as multi-document YAML (what `anymesh import` prints). */
  readonly yaml: string;
  /** The imported policies loaded and validated as policy files are. */
  readonly loaded: LoadedPolicies;
  /** False when the input or the imported policies have errors (with --strict: any loss). */
  readonly ok: boolean;
}

export function importFiles(
  paths: readonly string[],
  source: ImportSource,
  ctx: Partial<ImportContext> = {},
  stdin?: () => Buffer,
): ImportRun {
  return importLoaded(loadDocuments(paths, stdin, source.format), source, ctx);
}

export function importLoaded(
  loaded: LoadResult,
  source: ImportSource,
  ctx: Partial<ImportContext> = {},
): ImportRun {
  const context: ImportContext = { ...DEFAULT_CONTEXT, ...ctx };
  const native = nativeObjects(loaded.documents, context.defaultNamespace, source.format);
  return importNative(native.objects, source, context, [...loaded.diagnostics, ...native.diagnostics]);
}

/**
 * The same pipeline from native objects already read (`anymesh import --from-cluster`: LISTed
 * from the API server), with the diagnostics of reading them.
 */
export function importNative(
  objects: readonly NativeObject[],
  source: ImportSource,
  ctx: Partial<ImportContext> = {},
  readDiagnostics: readonly Diagnostic[] = [],
): ImportRun {
  const context: ImportContext = { ...DEFAULT_CONTEXT, ...ctx };
  const result = source.import(objects, context);
  const yaml = renderYaml(result.policies.map((p) => p.policy as never));
  const policies = loadInputs([{ name: IMPORTED_INPUT, text: yaml }], { overlaps: false });
  const diagnostics: Diagnostic[] = sortDiagnostics([
    ...readDiagnostics,
    ...result.diagnostics,
    // An empty import is not an invalid one: NoInput is about policy files.
    ...(result.policies.length ? policies.diagnostics : []),
  ]);
  return { ...result, diagnostics, yaml, loaded: policies, ok: !hasErrors(diagnostics) };
}
