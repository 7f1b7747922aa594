/**
 * The import path as the CLI and `migrate plan` use it: load native files (the policy loader, so
 * every native field has file:line:col) -> native objects -> the source's importer -> the imported
 * policies rendered and validated exactly as policy files are (so an import never hands on a
 * policy `anymesh validate` would refuse).
 */
import { DEFAULT_CONTEXT } from './adapter.js';
import { type Diagnostic, diag, hasErrors, relevel, sortDiagnostics } from './diagnostics.js';
import {
  addLoss,
  type FieldLoss,
  type ImportContext,
  type ImportResult,
  type ImportSource,
  leaves,
  lossKey,
  type NativeObject,
  nativeObjects,
  type SkippedObject,
  sortLosses,
  valueAt,
} from './import.js';
import { type LoadResult, loadDocuments } from './loader/loader.js';
import { type FieldPath, formatPath } from './loader/positions.js';
import { admitNativeObject } from './native-shape.js';
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
  // Files with no document at all are an error, as kubectl's "no objects passed to apply" (an
  // empty cluster, read by importNative, is not).
  const empty =
    loaded.documents.length === 0 && loaded.diagnostics.length === 0
      ? [diag('NoNativeInput', { source: source.displayName })]
      : [];
  const admitted = admitObjects(native.objects, source, context.strict === true);
  return importAdmitted(admitted, source, context, [...loaded.diagnostics, ...native.diagnostics, ...empty]);
}

/**
 * The same pipeline from native objects already read (`anymesh import --from-cluster`: LISTed
 * from the API server), with the diagnostics of reading them. They are not checked against the
 * CRDs here: the API server stored them as its own CRDs shape them (types checked, unknown fields
 * and disallowed nulls pruned), and those may be newer than the ones anymesh carries.
 */
export function importNative(
  objects: readonly NativeObject[],
  source: ImportSource,
  ctx: Partial<ImportContext> = {},
  readDiagnostics: readonly Diagnostic[] = [],
): ImportRun {
  const context: ImportContext = { ...DEFAULT_CONTEXT, ...ctx };
  const asStored: Admission = {
    objects: [...objects],
    diagnostics: [],
    losses: new Map(),
    reported: 0,
    replaced: [],
  };
  return importAdmitted(asStored, source, context, readDiagnostics);
}

function importAdmitted(
  admitted: Admission,
  source: ImportSource,
  context: ImportContext,
  readDiagnostics: readonly Diagnostic[],
): ImportRun {
  // The objects with a wrong type were refused (the run fails, nothing is written); the others are
  // still imported, so one run shows everything to fix.
  const result = withAdmission(guardedImport(admitted.objects, source, context), admitted);
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

interface Admission {
  /** What the importer reads: the objects whose types are right, with the dropped fields removed. */
  readonly objects: NativeObject[];
  readonly diagnostics: Diagnostic[];
  /** The reported leaves it adds (refused objects, dropped fields), by reason. */
  readonly losses: Map<string, FieldLoss>;
  readonly reported: number;
  /** Objects a later definition of the same object replaces (listed, not imported). */
  readonly replaced: readonly SkippedObject[];
}

/**
 * The objects, of the kinds the source reads, checked against their CRD's types before any
 * importer reads them (native-shape.ts): an object with a wrong type is refused, each error at its
 * own position; each field the API server would drop (a null it does not allow, a field it does
 * not list) is removed and reported. An object of those kinds defined again later in the input is
 * what that later definition replaces (`kubectl apply -f` in file order): reported whole.
 */
function admitObjects(objects: readonly NativeObject[], source: ImportSource, strict: boolean): Admission {
  const read = new Set((source.kinds ?? []).map((k) => `${k.group}/${k.kind}`));
  const admitted: NativeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const losses = new Map<string, FieldLoss>();
  let reported = 0;
  const replaced: SkippedObject[] = [];
  const last = lastDefinitions(objects);
  for (const o of objects) {
    const { apiVersion, kind } = o.object;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const later = last.get(identity(o));
    if (later && later !== o) {
      // Replaced by a later definition of the same object: not what the cluster runs, so it is
      // listed (and said) rather than imported, and its fields are not counted.
      const at = later.locate([]);
      const d = diag(
        'NativeObjectRedefined',
        { ref: o.ref, later: `${at.file}:${at.line}` },
        { location: o.locate([]), policy: o.ref },
      );
      diagnostics.push(strict ? relevel(d, 'error') : d);
      replaced.push({
        ref: o.ref,
        apiVersion,
        location: o.locate([]),
        reason: `defined again later in the input (${at.file}:${at.line}), which replaces it`,
      });
      continue;
    }
    const shape = read.has(`${group}/${kind}`) ? source.shapeOf?.(apiVersion, kind) : undefined;
    if (!shape) {
      admitted.push(o);
      continue;
    }
    const a = admitNativeObject(o, shape, strict);
    diagnostics.push(...a.diagnostics);
    if (a.refusedAt) {
      // Every field of a refused object is under its errors, counted with the first of them.
      const n = leaves(o.object).length;
      addLoss(losses, a.diagnostics.find((d) => d.code === 'AM2050')!, kind, a.refusedAt, n);
      reported += n;
      continue;
    }
    admitted.push(a.object);
    // Admitted: its diagnostics are its dropped fields', in the same order.
    a.dropped.forEach((path, i) => {
      const n = Math.max(1, leaves(valueAt(o.object, path)).length);
      addLoss(losses, a.diagnostics[i]!, kind, path, n);
      reported += n;
    });
  }
  return { objects: admitted, diagnostics, losses, reported, replaced };
}

/** An object's identity on a cluster: API group, kind, namespace and name (not the version). */
function identity(o: NativeObject): string {
  const v = o.object.apiVersion;
  return `${v.includes('/') ? v.slice(0, v.indexOf('/')) : ''}/${o.object.kind}/${o.namespace}/${o.object.metadata.name}`;
}

/** The last definition of each object in input order, what `kubectl apply -f` leaves on the cluster. */
function lastDefinitions(objects: readonly NativeObject[]): Map<string, NativeObject> {
  const out = new Map<string, NativeObject>();
  for (const o of objects) out.set(identity(o), o);
  return out;
}

/** The import's result with what admission refused or dropped among its reported fields. */
function withAdmission(result: ImportResult, admitted: Admission): ImportResult {
  if (!admitted.diagnostics.length) return result;
  const skipped = [...admitted.replaced, ...result.skipped];
  const f = result.fields;
  const losses = new Map(admitted.losses);
  for (const l of result.losses) {
    const key = lossKey(l);
    const seen = losses.get(key);
    losses.set(key, seen ? { ...seen, leaves: seen.leaves + l.leaves } : l);
  }
  return {
    ...result,
    diagnostics: [...admitted.diagnostics, ...result.diagnostics],
    skipped,
    fields: { ...f, total: f.total + admitted.reported, reported: f.reported + admitted.reported },
    losses: sortLosses(losses.values()),
  };
}

/** Nothing imported: every field is under the errors (the summary says 0 of them, not 100%). */
function refused(objects: readonly NativeObject[], diagnostics: Diagnostic[]): ImportResult {
  const total = objects.reduce((n, o) => n + leaves(o.object).length, 0);
  return {
    policies: [],
    diagnostics,
    skipped: [],
    fields: { total, imported: 0, reported: total, unaccounted: 0 },
    losses: [],
  };
}

/**
 * The importer's run, or, when it throws all the same, an error naming the object and nothing
 * imported. Objects of the kinds it imports from files passed their CRD's types (admitObjects), so
 * what is left is an object it reads as context (a workload), one of a kind with no CRD here, or a
 * bug; a stack trace is no answer to any of them. The objects are tried one by one to name the culprits; a
 * failure only their combination causes names the first object.
 */
function guardedImport(
  objects: readonly NativeObject[],
  source: ImportSource,
  ctx: ImportContext,
): ImportResult {
  try {
    return source.import(objects, ctx);
  } catch (err) {
    const fails = (o: NativeObject) => {
      try {
        source.import([o], ctx);
        return false;
      } catch {
        return true;
      }
    };
    const culprits = objects.filter(fails);
    const blamed = culprits.length ? culprits : objects.slice(0, 1);
    const detail = err instanceof Error ? err.message : String(err);
    return refused(
      objects,
      blamed.map((o) => unreadable(o, detail)),
    );
  }
}

function unreadable(o: NativeObject, detail: string): Diagnostic {
  const at = suspectValue(o.object);
  return diag(
    'NativeObjectUnreadable',
    {
      ref: o.ref,
      field: at ? formatPath(at) : 'one of its fields',
      value: at ? 'null' : 'a value',
      detail,
    },
    { location: o.locate(at ?? []), path: at ? formatPath(at) : '', policy: o.ref },
  );
}

/** The first null value of the object (depth first): what such inputs nearly always hold. */
function suspectValue(v: unknown, path: FieldPath = []): FieldPath | undefined {
  if (v === null) return path;
  if (typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const found = suspectValue(x, [...path, Array.isArray(v) ? Number(k) : k]);
    if (found) return found;
  }
  return undefined;
}
