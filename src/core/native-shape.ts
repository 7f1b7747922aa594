/**
 * The types a native object's CRD gives its fields, checked before an importer reads the object.
 *
 * Why: importers read objects as their CRDs shape them (on a cluster the API server has refused
 * every other shape), but files can hold anything: a string where the CRD has a list, a list
 * where it has a mapping. Checked first, such a value is an error at its own file:line:col and
 * field path, saying what the CRD wants there, the way `kubectl apply` answers; unchecked, it
 * made the importer throw somewhere inside, and the error could only name the object.
 *
 * Only the schema's structure is checked (types, nulls, fields it does not list): enums, patterns,
 * required fields and CEL rules are the importers' to report, with what each means for the policy.
 */
import { type Diagnostic, diag, relevel } from './diagnostics.js';
import type { NativeObject } from './import.js';
import { type FieldPath, formatPath } from './loader/positions.js';

/**
 * A field's type, digested from a CRD's openAPIV3Schema (scripts/native-shapes.js):
 * `string`, `integer`, `number`, `boolean`, `int-or-string` (x-kubernetes-int-or-string), `any`
 * (no type, or x-kubernetes-preserve-unknown-fields), or a structure. A scalar type ending in `?`
 * and a structure with `nullable: true` allow null (the schema's `nullable`).
 */
export type NativeShape =
  | ScalarType
  | `${Exclude<ScalarType, 'any'>}?`
  | {
      readonly object: Readonly<Record<string, NativeShape>>;
      /** x-kubernetes-preserve-unknown-fields: fields it does not list are kept, not dropped. */
      readonly open?: true;
      readonly nullable?: true;
    }
  | { readonly map: NativeShape; readonly nullable?: true }
  | { readonly list: NativeShape; readonly nullable?: true }
  | { readonly anyObject: true; readonly nullable?: true };

type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'any';

/** The shape of a whole object: its spec's (from the CRD) under Kubernetes' own metadata. */
export interface ObjectShape {
  readonly spec?: NativeShape;
  /** Where the shape comes from, for messages: `VirtualService networking.istio.io/v1 CRD`. */
  readonly from: string;
}

/**
 * What an importer reads of ObjectMeta (apimachinery's types: strings and string maps); its other
 * fields (uid, ownerReferences, managedFields, ...) are the API server's, not checked here.
 */
const OBJECT_META: NativeShape = {
  open: true,
  object: {
    name: 'string',
    namespace: 'string',
    labels: { map: 'string' },
    annotations: { map: 'string' },
  },
};

/** One wrong type per field: path, what is there, what the schema wants. */
export interface ShapeMismatch {
  readonly path: FieldPath;
  readonly got: string;
  readonly want: string;
}

/** What the check finds: the wrong types, and the fields the API server would drop. */
export interface ShapeCheck {
  readonly mismatches: ShapeMismatch[];
  /** Fields holding a null their schema does not allow, which the API server removes. */
  readonly droppedNulls: FieldPath[];
  /** Fields the schema does not list (a typo, or a field of another version), which it prunes. */
  readonly unknownFields: FieldPath[];
}

export function checkShape(object: Record<string, unknown>, shape: ObjectShape): ShapeCheck {
  const found: ShapeCheck = { mismatches: [], droppedNulls: [], unknownFields: [] };
  walk(object.metadata, OBJECT_META, ['metadata'], found);
  if (shape.spec && 'spec' in object) walk(object.spec, shape.spec, ['spec'], found, true);
  return found;
}

/**
 * The object as the API server would take it, and what the check says. A value of another type
 * than its CRD's is an error at its position (AM2050), and the object is refused. A field the
 * server would drop is removed and reported, so the importer reads the object as the cluster
 * would store it and the user hears what was dropped: a null whose schema does not allow null
 * (AM2051; apiextensions-apiserver's PruneNonNullableNullsWithoutDefaults removes fields and map
 * values, and refuses a null list item), and a field the CRD does not list (AM2052; pruned, and
 * refused by `kubectl apply`'s default --validate=strict). With --strict both are errors.
 */
export function admitNativeObject(
  o: NativeObject,
  shape: ObjectShape,
  strict = false,
): { object: NativeObject; diagnostics: Diagnostic[]; refusedAt?: FieldPath; dropped: FieldPath[] } {
  const found = checkShape(o.object as unknown as Record<string, unknown>, shape);
  const at = (path: FieldPath) => ({ location: o.locate(path), path: formatPath(path), policy: o.ref });
  // --strict: every field that is not imported as it is written is an error.
  const leveled = (d: Diagnostic) => (strict ? relevel(d, 'error') : d);
  const dropped = [...found.droppedNulls, ...found.unknownFields];
  const diagnostics = [
    // The dropped fields' diagnostics first, in the order of `dropped` (the caller counts them).
    ...found.droppedNulls.map((path) =>
      leveled(diag('NativeNullDropped', { ref: o.ref, crd: shape.from }, at(path))),
    ),
    ...found.unknownFields.map((path) =>
      leveled(
        diag(
          'NativeFieldUnknown',
          { ref: o.ref, field: String(path[path.length - 1]), crd: shape.from },
          at(path),
        ),
      ),
    ),
    ...found.mismatches.map((m) =>
      diag('NativeFieldType', { ref: o.ref, got: m.got, want: m.want, crd: shape.from }, at(m.path)),
    ),
  ];
  // The first wrong type, where the object is refused (undefined: it is admitted).
  const refused = found.mismatches[0] ? { refusedAt: found.mismatches[0].path } : {};
  if (!dropped.length) return { object: o, diagnostics, ...refused, dropped };
  const object = structuredClone(o.object) as unknown as Record<string, unknown>;
  for (const path of dropped) dropField(object, path);
  return { object: { ...o, object: object as never }, diagnostics, ...refused, dropped };
}

/**
 * Removes the field at `path`, and only it: a mapping it leaves empty stays, as on the cluster,
 * since an empty mapping can mean something of its own (Istio's `retries: {}` has 0 attempts:
 * no retries, where leaving `retries` out gives Istio's default).
 */
function dropField(root: Record<string, unknown>, path: FieldPath): void {
  let parent: unknown = root;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[seg];
  delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
}

/**
 * `path` is one stack, pushed and popped on the way down (copied only for what is reported: most
 * objects have nothing to report, and a copy per field was a tenth of an import's time).
 * `field`: v is the value of a mapping's key (a field or map value), not a list item.
 */
function walk(
  v: unknown,
  shape: NativeShape,
  path: (string | number)[],
  found: ShapeCheck,
  field = false,
): void {
  if (v === undefined) return;
  if (v === null) {
    if (allowsNull(shape)) return;
    if (field) found.droppedNulls.push([...path]);
    else found.mismatches.push({ path: [...path], got: 'null', want: want(shape) });
    return;
  }
  if (typeof shape === 'string') {
    const type = (shape.endsWith('?') ? shape.slice(0, -1) : shape) as ScalarType;
    if (!scalarFits(v, type))
      found.mismatches.push({ path: [...path], got: describe(v), want: SCALAR_WANT[type] });
    return;
  }
  if ('list' in shape) {
    if (!Array.isArray(v)) found.mismatches.push({ path: [...path], got: describe(v), want: want(shape) });
    else
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], shape.list, path, found);
        path.pop();
      }
    return;
  }
  if (typeof v !== 'object' || Array.isArray(v)) {
    found.mismatches.push({ path: [...path], got: describe(v), want: want(shape) });
    return;
  }
  if (!('map' in shape) && !('object' in shape)) return;
  for (const k in v as Record<string, unknown>) {
    const sub = 'map' in shape ? shape.map : Object.hasOwn(shape.object, k) ? shape.object[k] : undefined;
    if (!sub) {
      if ('object' in shape && !shape.open) found.unknownFields.push([...path, k]);
      continue;
    }
    path.push(k);
    walk((v as Record<string, unknown>)[k], sub, path, found, true);
    path.pop();
  }
}

function allowsNull(shape: NativeShape): boolean {
  return typeof shape === 'string' ? shape === 'any' || shape.endsWith('?') : shape.nullable === true;
}

function want(shape: NativeShape): string {
  return typeof shape === 'string' ? SCALAR_WANT[shape.replace('?', '') as ScalarType] : wantOf(shape);
}

function scalarFits(v: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'int-or-string':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    default:
      return true;
  }
}

const SCALAR_WANT: Readonly<Record<ScalarType, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  'int-or-string': 'an integer or a string',
  any: 'any value',
};

function wantOf(shape: Exclude<NativeShape, string>): string {
  if ('list' in shape) return 'a list';
  if ('map' in shape) return shape.map === 'string' ? 'a mapping of names to strings' : 'a mapping';
  return 'a mapping';
}

/** A value as a message shows it: its type, and a short text of a scalar. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'object':
      return 'a mapping';
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
      return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
    case 'boolean':
      return `the boolean ${v}`;
    default:
      return typeof v;
  }
}
