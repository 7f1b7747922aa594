/**
 * Importing native mesh configuration into neutral policies (issue 14): the types every importer
 * shares, and the field ledger that makes silent drops impossible.
 *
 * An importer (`MeshAdapter.import`, or a source that is not a compile target such as SMI) reads
 * native objects through a `FieldLedger`: every field it turns into neutral form it `take`s, every
 * field that has no neutral form (or whose meaning would change) it `report`s with a diagnostic.
 * `finish` then walks every leaf of every input object and reports, with the generic
 * NativeFieldNotImported, any leaf neither taken nor reported, so a field an importer forgot is
 * still never dropped without a word. The same walk counts the share of leaves imported losslessly.
 */
import type { CompileContext, KubeObject } from './adapter.js';
import { type Diagnostic, diag, relevel, type SourceLocation } from './diagnostics.js';
import type { Input, LoadedDocument, LoadResult } from './loader/loader.js';
import { type FieldPath, formatPath } from './loader/positions.js';
import type { ObjectShape } from './native-shape.js';

/** One native object as read from a file (or the cluster), with the way back to its positions. */
export interface NativeObject {
  readonly object: KubeObject;
  /** `Kind/namespace/name`, how diagnostics and the skipped list name it. */
  readonly ref: string;
  readonly namespace: string;
  readonly file: string;
  readonly index: number;
  locate(path: FieldPath): SourceLocation;
  /**
   * The field as the file writes it, when the object was read from another form than the one the
   * importer reads (Consul's `consul config write` entries, read as consul-k8s CRDs): diagnostics
   * name `Routes[0].Destination` rather than `spec.routes[0].destination`.
   */
  nativePath?(path: FieldPath): string;
  /**
   * Paths of the object that repeat another of its fields, or stand for one the file leaves out
   * (a config entry's one Name is both the CRD's metadata.name and an intention's destination):
   * not counted as fields of their own.
   */
  readonly copies?: readonly FieldPath[];
  /**
   * Read from a cluster only for what the imported objects refer to (a context kind, NativeKind
   * `context`): when the importer takes nothing of it, it is not listed as not imported, since the
   * user never named it (`import -f` lists every object given, the same Deployment included).
   */
  readonly context?: boolean;
}

/**
 * How a source reads native files that are not Kubernetes YAML (Consul's `consul config write`
 * entries in HCL or JSON): the loader and the reading of objects ask it first.
 */
export interface NativeFormat {
  /** File names a directory walk reads besides *.yaml and *.yml. */
  readonly extensions?: RegExp;
  /** Parses a text YAML cannot read (by its name or content); undefined leaves it to YAML. */
  parse?(input: Input): LoadResult | undefined;
  /**
   * The source's native objects in a document that is not a Kubernetes object, or undefined
   * when it is not one of the source's either (then it is diagnosed as not an object).
   */
  objects?(
    doc: Pick<LoadedDocument, 'file' | 'index' | 'value'>,
    locate: (path: FieldPath) => SourceLocation,
    defaultNamespace: string,
  ): NativeObject[] | undefined;
}

export interface ImportContext extends CompileContext {
  /** Namespace of native objects that name none. Default: `default`. */
  readonly defaultNamespace?: string;
  /** `--strict`: every field without a neutral form is an error, not a warning. */
  readonly strict?: boolean;
}

/** A native object the importer does not import: listed, never ignored. */
export interface SkippedObject {
  readonly ref: string;
  readonly apiVersion: string;
  readonly location: SourceLocation;
  readonly reason: string;
}

/** Leaf counts of the input: what became neutral, what was reported, what was neither. */
export interface FieldStats {
  readonly total: number;
  readonly imported: number;
  readonly reported: number;
  /** Leaves no importer accounted for; each got NativeFieldNotImported (so none is silent). */
  readonly unaccounted: number;
}

/**
 * The reported leaves grouped by why (`import-share.js --reasons`): the diagnostic that reported
 * them, the kind of object and the reported field with its list indices left out.
 */
export interface FieldLoss {
  readonly code: string;
  readonly kind: string;
  /** The reported field, `spec.routes[].match.http.pathExact`. */
  readonly field: string;
  /** The message of the first report of the group (one example of the reason). */
  readonly example: string;
  readonly leaves: number;
}

/** A neutral policy as plain data (`apiVersion`, `kind`, `metadata`, `spec`), and where it came from. */
export interface ImportedPolicy {
  readonly policy: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    spec: Record<string, unknown>;
  };
  /** The native objects it was joined from (`Kind/namespace/name`). */
  readonly from: readonly string[];
}

export interface ImportResult {
  readonly policies: ImportedPolicy[];
  readonly diagnostics: Diagnostic[];
  readonly skipped: SkippedObject[];
  readonly fields: FieldStats;
  /** The reported leaves by reason, most first. */
  readonly losses: readonly FieldLoss[];
  /**
   * The options of the source mesh's capability column the native objects are written for, when
   * not its default (Istio: `istio.dataplane=ambient` for waypoints and their routes), so that a
   * migration plan compares the right column.
   */
  readonly columnOptions?: Readonly<Record<string, string>>;
}

/**
 * Why an object is not imported, when it carries mesh configuration all the same (a workload's
 * Linkerd annotations): listed even when it was read from a cluster only as context.
 */
export interface ConfigurationSkip {
  readonly reason: string;
  readonly configuration: true;
}

/** What an importer returns before the ledger closes the books. */
export interface ImporterOutput {
  readonly policies: ImportedPolicy[];
  readonly diagnostics?: Diagnostic[];
  readonly columnOptions?: Readonly<Record<string, string>>;
}

/** A kind of native object an importer reads: its API group and kind (the version is the server's). */
export interface NativeKind {
  readonly group: string;
  readonly kind: string;
  /**
   * What the importer looks up in objects of this kind, which are not mesh configuration of their
   * own (the Services routes name, the namespaces' labels, the workloads' port names): read from a
   * cluster, those the importer takes nothing of are not listed as not imported (NativeObject
   * `context`), and a cluster that refuses to show them (RBAC) is a note, not a failure.
   */
  readonly context?: string;
}

/** A source of native configuration: a mesh descriptor's `import`, or an import-only source. */
export interface ImportSource {
  readonly id: string;
  readonly displayName: string;
  /** The kinds it imports: what `anymesh import --from-cluster` lists. */
  readonly kinds?: readonly NativeKind[];
  /** Native files of other forms than Kubernetes YAML that it reads. */
  readonly format?: NativeFormat;
  /**
   * The field types of an object of one of `kinds` (from its CRD), checked before `import` reads
   * it (native-shape.ts); undefined for a kind it has no types of.
   */
  readonly shapeOf?: (apiVersion: string, kind: string) => ObjectShape | undefined;
  import(objects: readonly NativeObject[], ctx: ImportContext): ImportResult;
}

/** Where an object read from a cluster is said to be: `cluster:<kind>/<namespace>/<name>`. */
export function clusterPosition(o: KubeObject): string {
  return `cluster:${o.kind}/${o.metadata.namespace ?? ''}${o.metadata.namespace ? '/' : ''}${o.metadata.name}`;
}

/**
 * Native objects read from a cluster (no file, so no line): each is positioned as
 * `cluster:<kind>/<namespace>/<name>`, and every diagnostic about it carries the field path.
 */
export function clusterNativeObjects(
  objects: readonly KubeObject[],
  defaultNamespace = 'default',
  isContext: (o: KubeObject) => boolean = () => false,
): NativeObject[] {
  return objects.map((object, index) => {
    const namespace = object.metadata.namespace ?? defaultNamespace;
    const file = clusterPosition(object);
    return {
      object,
      ref: `${object.kind}/${namespace}/${object.metadata.name}`,
      namespace,
      file,
      index,
      locate: () => ({ file, line: 0, col: 0 }),
      ...(isContext(object) ? { context: true } : {}),
    };
  });
}

/** Native objects from loaded YAML documents; documents that are not objects are diagnosed. */
export function nativeObjects(
  documents: readonly LoadedDocument[],
  defaultNamespace = 'default',
  format?: NativeFormat,
): { objects: NativeObject[]; diagnostics: Diagnostic[] } {
  const objects: NativeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const push = (value: unknown, doc: LoadedDocument, prefix: FieldPath) => {
    const o = value as Partial<KubeObject> | null;
    const located = (path: FieldPath) => doc.positions.locate(doc.index, [...prefix, ...path]);
    // A v1 List (what `kubectl get -o yaml` and `anymesh compile -o json` print) holds the objects.
    if (
      o !== null &&
      typeof o === 'object' &&
      o.kind === 'List' &&
      Array.isArray((o as { items?: unknown }).items)
    ) {
      ((o as { items: unknown[] }).items ?? []).forEach((item, i) =>
        push(item, doc, [...prefix, 'items', i]),
      );
      return;
    }
    const own =
      prefix.length === 0 && typeof o?.apiVersion !== 'string'
        ? format?.objects?.(doc, located, defaultNamespace)
        : undefined;
    if (own) {
      objects.push(...own);
      return;
    }
    if (
      o === null ||
      typeof o !== 'object' ||
      Array.isArray(o) ||
      typeof o.apiVersion !== 'string' ||
      typeof o.kind !== 'string' ||
      typeof o.metadata?.name !== 'string'
    ) {
      diagnostics.push(
        diag('NotKubernetesObject', {}, { location: located([]), path: formatPath(prefix) || undefined }),
      );
      return;
    }
    const namespace = o.metadata.namespace ?? defaultNamespace;
    const object = o as KubeObject;
    objects.push({
      object,
      ref: `${o.kind}/${namespace}/${o.metadata.name}`,
      namespace,
      file: doc.file,
      index: doc.index,
      locate: located,
    });
  };
  for (const doc of documents) push(doc.value, doc, []);
  return { objects, diagnostics };
}

type Mark = 'taken' | 'reported';

/**
 * The books of one import: which fields of which native objects were taken (imported) or reported.
 * A mark on a path covers everything below it.
 */
export class FieldLedger {
  private readonly marks = new Map<NativeObject, Map<string, Mark>>();
  /** The diagnostic of each reported path (the first report of a path names its reason). */
  private readonly reasons = new Map<NativeObject, Map<string, Diagnostic>>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly strict = false) {}

  private mark(o: NativeObject, path: FieldPath, m: Mark): void {
    let map = this.marks.get(o);
    if (!map) {
      map = new Map();
      this.marks.set(o, map);
    }
    const key = JSON.stringify(path);
    // A report wins over a take: the field is then not counted as imported losslessly.
    if (map.get(key) !== 'reported') map.set(key, m);
  }

  /** The value at `path`, marked as imported (with everything below it). */
  take<T = unknown>(o: NativeObject, path: FieldPath): T | undefined {
    const v = valueAt(o.object, path);
    if (v !== undefined) this.mark(o, path, 'taken');
    return v as T | undefined;
  }

  /** The value at `path`, without marking it (to decide how to import it). */
  peek<T = unknown>(o: NativeObject, path: FieldPath): T | undefined {
    return valueAt(o.object, path) as T | undefined;
  }

  /** Whether `path` itself was taken or reported already (by another reader of the object). */
  marked(o: NativeObject, path: FieldPath): boolean {
    return this.marks.get(o)?.has(JSON.stringify(path)) ?? false;
  }

  /** Marks a field reported and records its diagnostic, positioned at the field. */
  report(o: NativeObject, path: FieldPath, make: (at: ImportAt) => Diagnostic): void {
    this.mark(o, path, 'reported');
    const d = this.level(make(this.at(o, path)));
    let reasons = this.reasons.get(o);
    if (!reasons) {
      reasons = new Map();
      this.reasons.set(o, reasons);
    }
    const key = JSON.stringify(path);
    if (!reasons.has(key)) reasons.set(key, d);
    this.diagnostics.push(d);
  }

  /** A diagnostic that marks nothing (e.g. a note on how objects were joined). */
  note(d: Diagnostic): void {
    this.diagnostics.push(this.level(d));
  }

  /** Diagnostic context for a native field. */
  at(o: NativeObject, path: FieldPath): ImportAt {
    return { location: o.locate(path), path: o.nativePath?.(path) ?? formatPath(path), policy: o.ref };
  }

  /** `--strict`: every loss is an error. */
  private level(d: Diagnostic): Diagnostic {
    return this.strict && d.level === 'warning' ? relevel(d, 'error') : d;
  }

  /**
   * Closes the books: every leaf of every object either was taken, was reported, or is reported
   * now as not imported. Objects the importer did not look at are listed as skipped, but for
   * context objects (read from a cluster for what others refer to) whose skip reason is a plain
   * string; one that carries mesh configuration of its own is a `ConfigurationSkip`, listed always.
   */
  finish(
    objects: readonly NativeObject[],
    out: ImporterOutput,
    skip: (o: NativeObject) => string | ConfigurationSkip | undefined,
  ): ImportResult {
    const skipped: SkippedObject[] = [];
    let total = 0;
    let imported = 0;
    let reported = 0;
    let unaccounted = 0;
    const losses = new Map<string, FieldLoss>();
    for (const o of objects) {
      const why = skip(o);
      if (typeof why === 'string' && o.context) continue;
      const reason = typeof why === 'object' ? why.reason : why;
      if (reason !== undefined) {
        skipped.push({ ref: o.ref, apiVersion: o.object.apiVersion, location: o.locate([]), reason });
        this.diagnostics.push(
          this.level(
            diag('NativeKindSkipped', { ref: o.ref, reason }, { location: o.locate([]), policy: o.ref }),
          ),
        );
        continue;
      }
      const marks = this.marks.get(o) ?? new Map<string, Mark>();
      const copies = (o.copies ?? []).map((c) => JSON.stringify(c));
      for (const path of leaves(o.object)) {
        if (copies.includes(JSON.stringify(path))) continue;
        total++;
        const m = markOf(marks, path);
        if (m === 'taken') imported++;
        else if (m === 'reported') {
          reported++;
          this.countLoss(losses, o, path);
        } else {
          unaccounted++;
          this.diagnostics.push(this.level(diag('NativeFieldNotImported', { ref: o.ref }, this.at(o, path))));
        }
      }
    }
    return {
      policies: out.policies,
      diagnostics: [...this.diagnostics, ...(out.diagnostics ?? []).map((d) => this.level(d))],
      skipped,
      fields: { total, imported, reported, unaccounted },
      losses: sortLosses(losses.values()),
      ...(out.columnOptions ? { columnOptions: out.columnOptions } : {}),
    };
  }

  /** Adds a reported leaf to the group of the report that covers it (the nearest reported path). */
  private countLoss(losses: Map<string, FieldLoss>, o: NativeObject, leaf: FieldPath): void {
    const reasons = this.reasons.get(o);
    for (let i = leaf.length; i >= 0; i--) {
      const path = leaf.slice(0, i);
      const d = reasons?.get(JSON.stringify(path));
      if (!d) continue;
      addLoss(losses, d, o.object.kind, path, 1);
      return;
    }
  }
}

/** Counts `leaves` reported leaves under `d` into the group of its code, kind and field. */
export function addLoss(
  losses: Map<string, FieldLoss>,
  d: Diagnostic,
  kind: string,
  path: FieldPath,
  leaves: number,
): void {
  // List indices left out: `spec.routes[].match`, one group for every route.
  const field = formatPath(path.map((seg) => (typeof seg === 'number' ? -1 : seg))).replaceAll('[-1]', '[]');
  const key = lossKey({ code: d.code, kind, field });
  const seen = losses.get(key);
  losses.set(key, {
    code: d.code,
    kind,
    field,
    example: seen?.example ?? d.message,
    leaves: (seen?.leaves ?? 0) + leaves,
  });
}

/** The group a loss counts in: its code, kind and field. */
export function lossKey(l: Pick<FieldLoss, 'code' | 'kind' | 'field'>): string {
  return `${l.code} ${l.kind} ${l.field}`;
}

/** Most leaves first. */
export function sortLosses(losses: Iterable<FieldLoss>): FieldLoss[] {
  return [...losses].sort((a, b) => b.leaves - a.leaves || a.code.localeCompare(b.code));
}

export type ImportAt = { location: SourceLocation; path: string; policy: string };

function markOf(marks: Map<string, Mark>, path: FieldPath): Mark | undefined {
  let found: Mark | undefined;
  for (let i = path.length; i >= 0; i--) {
    const m = marks.get(JSON.stringify(path.slice(0, i)));
    if (m === 'reported') return m;
    if (m && !found) found = m;
  }
  return found;
}

export function valueAt(root: unknown, path: FieldPath): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * Every leaf path of a value: scalars, and empty maps and lists (an empty `{}` can mean something,
 * e.g. Istio's header presence match). `apiVersion` and `kind` are not counted: they say what the
 * object is, which the import always reads.
 */
export function leaves(root: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(path);
      v.forEach((x, i) => walk(x, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) out.push(path);
      for (const [k, x] of entries) {
        if (path.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
        walk(x, [...path, k]);
      }
    } else out.push(path);
  };
  walk(root, []);
  return out;
}

/** Sorts imported policies by kind, namespace, name, so output is stable. */
export function sortImported(policies: readonly ImportedPolicy[]): ImportedPolicy[] {
  const order = ['TrafficPolicy', 'AccessPolicy', 'MTLSPolicy', 'BackendPolicy'];
  return [...policies].sort(
    (a, b) =>
      order.indexOf(a.policy.kind) - order.indexOf(b.policy.kind) ||
      (a.policy.metadata.namespace ?? '').localeCompare(b.policy.metadata.namespace ?? '') ||
      a.policy.metadata.name.localeCompare(b.policy.metadata.name),
  );
}
