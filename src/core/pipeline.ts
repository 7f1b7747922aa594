/**
 * The whole path from files to native resources, as the CLI and the library use it:
 * load -> validate -> check capabilities -> compile -> sort. Nothing here touches a cluster.
 */
import type { MeshAdapter } from './adapter.js';
import { type CompileOptions, type CompileResult, compilePolicies } from './compiler/compile.js';
import { type Diagnostic, diag, hasErrors, sortDiagnostics } from './diagnostics.js';
import { type Input, type LoadResult, loadDocuments, parseInputs } from './loader/loader.js';
import type { PolicyDoc } from './model/policy-doc.js';
import { API_VERSION, KINDS } from './model/schema.js';
import { validateDocuments } from './model/validate.js';
import { overlapDiagnostics } from './overlap/index.js';

export interface LoadedPolicies {
  readonly policies: PolicyDoc[];
  readonly diagnostics: Diagnostic[];
  readonly ok: boolean;
  /** Documents of other API groups that were skipped (a GitOps folder's ConfigMaps), by kind. */
  readonly skipped: Readonly<Record<string, number>>;
}

export interface LoadOptions {
  /**
   * Run the overlap analysis (conflicting policies are errors, shadowed rules warnings). Default:
   * true; `anymesh check` turns it off and reports overlaps in its own report.
   */
  readonly overlaps?: boolean;
  /** Namespace of policies that name none (`-n` of cluster commands). Default: `default`. */
  readonly defaultNamespace?: string;
  /**
   * Refuse documents of other API groups (AM1009) instead of skipping them (`--strict-kinds`).
   * Default: skip them, as a folder of a GitOps repository also holds ConfigMaps and a
   * kustomization.yaml; documents of anymesh's own group with an unknown kind are always errors.
   */
  readonly strictKinds?: boolean;
}

/**
 * A document of another API group: a mapping with a string kind that is not one of anymesh's and
 * an apiVersion not anymesh's. A TrafficPolicy under a wrong apiVersion is a mistake to report
 * (AM1009), not a foreign document to skip.
 */
function otherKind(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if ((KINDS as readonly string[]).includes(kind)) return undefined;
  return apiVersion.split('/')[0] === API_VERSION.split('/')[0] ? undefined : kind;
}

/** Loads and validates every input; `ok` is false when anything is wrong anywhere. */
export function loadPolicies(
  paths: readonly string[],
  stdin?: () => Buffer,
  options: LoadOptions = {},
): LoadedPolicies {
  return validateLoaded(loadDocuments(paths, stdin), paths.join(', ') || '(nothing)', options);
}

/**
 * The same for inputs already in memory (a library caller's text; the tests' fixture kit), so
 * they go through exactly what files go through.
 */
export function loadInputs(inputs: readonly Input[], options: LoadOptions = {}): LoadedPolicies {
  return validateLoaded(parseInputs(inputs), inputs.map((i) => i.name).join(', ') || '(nothing)', options);
}

function validateLoaded(loaded: LoadResult, what: string, options: LoadOptions): LoadedPolicies {
  const skipped: Record<string, number> = {};
  const documents = options.strictKinds
    ? loaded.documents
    : loaded.documents.filter((d) => {
        const kind = otherKind(d.value);
        if (kind !== undefined) skipped[kind] = (skipped[kind] ?? 0) + 1;
        return kind === undefined;
      });
  const validated = validateDocuments(documents, options.defaultNamespace);
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics];
  // Overlaps are only meaningful between policies that are themselves valid.
  if (options.overlaps !== false && !hasErrors(diagnostics))
    for (const d of overlapDiagnostics(validated.policies)) diagnostics.push(d);
  if (documents.length === 0 && loaded.diagnostics.length === 0) {
    diagnostics.push(diag('NoInput', { what }));
  }
  return {
    skipped,
    policies: validated.policies,
    diagnostics: sortDiagnostics(diagnostics),
    ok: !hasErrors(diagnostics),
  };
}

/** Loads, validates and compiles for one mesh; no resources unless everything passed. */
export function compileFiles(
  paths: readonly string[],
  adapter: MeshAdapter,
  options: CompileOptions & { strictKinds?: boolean } = {},
  stdin?: () => Buffer,
): CompileResult {
  const loaded = loadPolicies(paths, stdin, options.strictKinds ? { strictKinds: true } : {});
  return compileLoaded(loaded, adapter, options);
}

/** Compiles what `loadPolicies` or `loadInputs` loaded; nothing unless loading passed. */
export function compileLoaded(
  loaded: LoadedPolicies,
  adapter: MeshAdapter,
  options: CompileOptions = {},
): CompileResult {
  if (!loaded.ok) return { ok: false, resources: [], diagnostics: loaded.diagnostics };
  const r = compilePolicies(loaded.policies, adapter, options);
  return { ...r, diagnostics: sortDiagnostics([...loaded.diagnostics, ...r.diagnostics]) };
}
