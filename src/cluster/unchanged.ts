/**
 * Would a server-side apply of `desired` change nothing on `live`? Answered without a request, so a
 * re-apply of an unchanged set needs no dry-run per object: true only when
 *   1. every field of `desired` has that value in `live` (maps may have more keys in `live`, for
 *      defaults and other managers' fields; lists have the same length and items in order), and
 *   2. the field manager's Apply entry in `managedFields` (at the same apiVersion) owns exactly the
 *      fields of `desired`: an apply owning fewer or more fields would change ownership, which is
 *      a change (fields dropped from `desired` are removed by the apply; fields another manager
 *      took over by an update would be taken back).
 * Anything it cannot decide (two entries, null values, a list item it cannot match to its
 * managedFields key) answers false, and the caller asks the server with a dry-run as before.
 *
 * The managedFields format (fieldsV1) is Kubernetes' structured-merge-diff field set: `f:<name>`
 * for a field, `k:<json>` for a list item by its keys, `v:<json>` for a set item, `i:<n>` for an
 * item by index, `.` for the node itself (sigs.k8s.io/structured-merge-diff fieldpath
 * serialization; Kubernetes docs, "Server-Side Apply", Field management).
 */
import type { KubeObject } from '../core/adapter.js';
import type { LiveObject } from './objects.js';

type Json = unknown;
interface FieldSet {
  [field: string]: FieldSet;
}

const isMap = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyChangesNothing(live: LiveObject, desired: KubeObject, manager: string): boolean {
  if (live.apiVersion !== desired.apiVersion || live.kind !== desired.kind) return false;
  const entries = (live.metadata.managedFields ?? []).filter(
    (f) => f.manager === manager && f.operation === 'Apply' && !f.subresource,
  );
  if (entries.length !== 1) return false;
  const entry = entries[0]!;
  if (entry.apiVersion !== desired.apiVersion || entry.fieldsType !== 'FieldsV1') return false;
  if (!isMap(entry.fieldsV1)) return false;
  // apiVersion, kind, name and namespace identify the object; managedFields does not record them.
  const { apiVersion: _a, kind: _k, metadata, ...rest } = desired as KubeObject & Record<string, Json>;
  const { name: _n, namespace: _ns, ...meta } = metadata as Record<string, Json>;
  const body: Record<string, Json> = { ...rest, metadata: meta };
  const liveBody: Record<string, Json> = { ...(live as unknown as Record<string, Json>) };
  if (!contains(liveBody, body)) return false;
  const owned = { ...(entry.fieldsV1 as FieldSet) };
  if (isMap(owned['f:metadata'])) {
    const { 'f:name': _fn, 'f:namespace': _fns, ...m } = owned['f:metadata'];
    owned['f:metadata'] = m;
  }
  // No labels or annotations: nothing of metadata is owned, and the apply owns none of it either.
  if (Object.keys(meta).length === 0) {
    delete body.metadata;
    const m = owned['f:metadata'];
    if (m && fields(m).length) return false;
    delete owned['f:metadata'];
  }
  return ownsExactly(owned, body);
}

/** `want`'s values are all in `have` (see 1. above). */
function contains(have: Json, want: Json): boolean {
  if (want === null || want === undefined) return false;
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((w, i) => contains(have[i], w));
  }
  if (isMap(want)) {
    if (!isMap(have)) return false;
    return Object.entries(want).every(([k, w]) => contains(have[k], w));
  }
  return have === want;
}

/** The keys of a field set other than `.` (the node itself). */
function fields(set: FieldSet): string[] {
  return Object.keys(set).filter((k) => k !== '.');
}

/** The field set `set` is exactly the fields of `value` (see 2. above). */
function ownsExactly(set: FieldSet, value: Json): boolean {
  if (!isMap(set)) return false;
  const keys = fields(set);
  if (isMap(value)) {
    const names = Object.keys(value);
    // An empty map is owned as a leaf.
    if (names.length === 0) return keys.length === 0;
    if (keys.length !== names.length) return false;
    return names.every((n) => {
      const child = set[`f:${n}`];
      return child !== undefined && ownsExactly(child, value[n]);
    });
  }
  if (Array.isArray(value)) {
    // An atomic list (or an empty one) is owned as a leaf.
    if (keys.length === 0) return true;
    if (keys.length !== value.length) return false;
    const used = new Set<string>();
    return value.every((item, i) => {
      const key = keys.find((k) => !used.has(k) && itemMatches(k, item, i));
      if (!key) return false;
      used.add(key);
      const child = set[key]!;
      // A set item (`v:`) has no fields of its own; keyed and indexed items are checked inside.
      return key.startsWith('v:') || ownsExactly(child, item);
    });
  }
  // A scalar is a leaf.
  return keys.length === 0;
}

function itemMatches(key: string, item: Json, index: number): boolean {
  const kind = key.slice(0, 2);
  const text = key.slice(2);
  if (kind === 'i:') return Number(text) === index;
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (kind === 'v:') return JSON.stringify(parsed) === JSON.stringify(item);
  if (kind === 'k:')
    return isMap(parsed) && isMap(item) && Object.entries(parsed).every(([k, v]) => item[k] === v);
  return false;
}
