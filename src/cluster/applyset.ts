/**
 * The ApplySet convention (KEP-3659), as kubectl implements it:
 * - a parent object records the set: here a Secret `applyset-<name>` (no data) in the ApplySet
 *   namespace, labelled `applyset.kubernetes.io/id: <id>`, annotated with the tooling, the
 *   group-kinds of its members and the namespaces other than its own they live in;
 * - the id is `applyset-` + base64url(sha256(`<name>.<namespace>.<kind>.<group>`)) + `-v1`, computed
 *   from the parent's own name, namespace, kind and group (Secret: core group, the empty string);
 * - every member carries the label `applyset.kubernetes.io/part-of: <id>`.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../core/adapter.js';
import { parseGroupKind } from './resources.js';

export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
const APPLYSET_GKS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
/** The one field manager for everything anymesh writes. */
export const FIELD_MANAGER = 'anymesh';

export interface ApplySetRef {
  /** The set's name (`--applyset`). */
  readonly name: string;
  /** Where the parent Secret lives. */
  readonly namespace: string;
}

/** The parent is a Secret named `applyset-<name>`. */
export function parentName(set: ApplySetRef): string {
  return `applyset-${set.name}`;
}

/** KEP-3659: applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1. */
export function applySetId(name: string, namespace: string, kind: string, group: string): string {
  const digest = createHash('sha256').update(`${name}.${namespace}.${kind}.${group}`).digest('base64url');
  return `applyset-${digest}-v1`;
}

export function idOf(set: ApplySetRef): string {
  return applySetId(parentName(set), set.namespace, 'Secret', '');
}

/** The default set name: one set per mesh, so applying policies for two meshes never prunes each other. */
export function defaultApplySetName(mesh: string): string {
  return `anymesh-${mesh}`;
}

export const APPLYSET_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ParentState {
  readonly groupKinds: string[];
  readonly namespaces: string[];
  readonly tooling?: string;
}

function splitList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readParent(obj: KubeObject | undefined): ParentState | undefined {
  if (!obj) return undefined;
  const a = obj.metadata.annotations ?? {};
  return {
    groupKinds: splitList(a[APPLYSET_GKS_ANNOTATION]),
    namespaces: splitList(a[APPLYSET_NAMESPACES_ANNOTATION]),
    ...(a[APPLYSET_TOOLING_ANNOTATION] ? { tooling: a[APPLYSET_TOOLING_ANNOTATION] } : {}),
  };
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The parent Secret, as anymesh applies it. */
export function parentObject(
  set: ApplySetRef,
  tooling: string,
  groupKinds: Iterable<string>,
  namespaces: Iterable<string>,
): KubeObject {
  const extra = sorted(namespaces).filter((n) => n !== set.namespace);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: parentName(set),
      namespace: set.namespace,
      labels: { [APPLYSET_ID_LABEL]: idOf(set), 'app.kubernetes.io/managed-by': 'anymesh' },
      annotations: {
        [APPLYSET_TOOLING_ANNOTATION]: tooling,
        [APPLYSET_GKS_ANNOTATION]: sorted(groupKinds).join(','),
        // Always present (possibly empty), as kubectl does: a reader never has to guess.
        [APPLYSET_NAMESPACES_ANNOTATION]: extra.join(','),
      },
    },
    type: 'Opaque',
  };
}

/** Group-kinds sorted as the annotation lists them, parsed. */
export function groupKindsOf(state: ParentState | undefined): { group: string; kind: string }[] {
  return (state?.groupKinds ?? []).map(parseGroupKind);
}
