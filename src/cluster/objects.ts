/** Helpers for live and desired objects: identity, display, comparison. */
import type { KubeObject } from '../core/adapter.js';
import { FIELD_MANAGER } from './applyset.js';
import type { ResourceInfo } from './resources.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

/** A live object as the API server returns it. */
export interface LiveObject extends KubeObject {
  metadata: KubeObject['metadata'] & {
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    managedFields?: ManagedFieldsEntry[];
  };
}

/** One object to apply, with its REST mapping. */
export interface Target {
  readonly object: KubeObject;
  readonly info: ResourceInfo;
}

/** `Kind namespace/name` (or `Kind name` when cluster-scoped): how messages name an object. */
export function display(obj: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}

/** Identity across API versions: group, kind, namespace, name. */
export function keyOf(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}|${kind}|${namespace ?? ''}|${name}`;
}

/**
 * True when anymesh applied fields of this object (a server-side apply entry of the manager:
 * `anymesh` for the CLI, `anymesh-controller` for the controller).
 */
export function appliedByAnymesh(obj: LiveObject, manager: string = FIELD_MANAGER): boolean {
  return (obj.metadata.managedFields ?? []).some((f) => f.manager === manager && f.operation === 'Apply');
}

const VOLATILE_METADATA = ['resourceVersion', 'generation', 'selfLink'] as const;

/**
 * The object without what changes on every write or dry-run (resourceVersion, generation,
 * managedFields timestamps): two normalized objects are equal exactly when applying one over the
 * other changes nothing, ownership included.
 */
function forComparison(obj: LiveObject): unknown {
  const copy = structuredClone(obj);
  for (const k of VOLATILE_METADATA) delete (copy.metadata as Record<string, unknown>)[k];
  copy.metadata.managedFields = (copy.metadata.managedFields ?? [])
    .map((f) => {
      const { time: _time, ...rest } = f;
      return rest;
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return canonical(copy);
}

/** What `anymesh diff` shows: the object without bookkeeping metadata. */
export function forDisplay(obj: LiveObject): LiveObject {
  const copy = structuredClone(obj);
  const md = copy.metadata as Record<string, unknown>;
  for (const k of [...VOLATILE_METADATA, 'managedFields', 'uid', 'creationTimestamp']) delete md[k];
  return copy;
}

/** Keys sorted recursively, so equal objects serialize identically. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function sameObject(a: LiveObject, b: LiveObject): boolean {
  return JSON.stringify(forComparison(a)) === JSON.stringify(forComparison(b));
}
