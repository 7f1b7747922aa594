/**
 * A policy's status, Gateway API style (GEP-1364): `status.conditions` of types Accepted,
 * Programmed, Degraded and Conflicted (metav1.Condition: type, status, observedGeneration,
 * lastTransitionTime, reason, message), each message carrying the field path and diagnostic code
 * it is about, plus `status.objects`, the native objects the policy produced. A condition keeps its
 * lastTransitionTime while its status stays, so an unchanged policy gets an identical status and
 * no write.
 */
import type { KubeClient } from '../cluster/client.js';
import { KubeApiError } from '../cluster/client.js';
import { canonical, type LiveObject } from '../cluster/objects.js';
import type { Diagnostic } from '../core/diagnostics.js';
import { pluralOf } from './crds.js';

export type ConditionType = 'Accepted' | 'Programmed' | 'Degraded' | 'Conflicted';

export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface PolicyStatus {
  mesh: string;
  observedGeneration: number;
  conditions: Condition[];
  objects: ObjectRef[];
}

/** What reconcile found out about one policy. */
export interface Outcome {
  /** Error diagnostics about this policy: it was left out of the compile. */
  readonly errors: Diagnostic[];
  /** Warnings (a feature left out under onUnsupported: warn, partial support). */
  readonly warnings: Diagnostic[];
  /** Conflicts: overlap findings (AM3011) naming it, or native objects someone else owns. */
  readonly conflicts: { reason: 'Conflict' | 'NameCollision'; message: string }[];
  readonly programmed: { ok: boolean; reason: string; message: string };
  readonly objects: ObjectRef[];
}

/** `spec.rules[0].fault: AM3001: Linkerd cannot ...`: a diagnostic as a condition message says it. */
export function describe(d: Diagnostic): string {
  return `${d.path ? `${d.path}: ` : ''}${d.code}: ${d.message}`;
}

const joined = (ds: readonly Diagnostic[]) => ds.map(describe).join('; ');

const UNSUPPORTED = new Set(['AM3001', 'AM3002']);
const CONFLICT = 'AM3011';

function condition(
  type: ConditionType,
  on: boolean,
  reason: string,
  message: string,
  generation: number,
  previous: readonly Condition[],
  now: string,
): Condition {
  const status = on ? 'True' : 'False';
  const before = previous.find((c) => c.type === type);
  return {
    type,
    status,
    observedGeneration: generation,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    reason,
    message: message.length > 32_000 ? `${message.slice(0, 31_997)}...` : message,
  };
}

export function statusOf(
  o: Outcome,
  mesh: string,
  generation: number,
  previous: readonly Condition[],
  now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
): PolicyStatus {
  const c = (type: ConditionType, on: boolean, reason: string, message: string) =>
    condition(type, on, reason, message, generation, previous, now);
  const unsupported = [...o.errors, ...o.warnings].filter((d) => UNSUPPORTED.has(d.code));
  const overlap = o.errors.filter((d) => d.code === CONFLICT);
  const accepted = o.errors.length === 0 && !o.conflicts.some((x) => x.reason === 'Conflict');
  const firstError = o.errors[0];
  const acceptedReason = accepted
    ? 'Accepted'
    : firstError?.code === 'AM3001'
      ? 'UnsupportedField'
      : overlap.length || o.conflicts.length
        ? 'Conflict'
        : 'Invalid';
  return {
    mesh,
    observedGeneration: generation,
    conditions: [
      c(
        'Accepted',
        accepted,
        acceptedReason,
        accepted ? `compiled for ${mesh}` : joined(o.errors) || o.conflicts.map((x) => x.message).join('; '),
      ),
      c('Programmed', o.programmed.ok, o.programmed.reason, o.programmed.message),
      c(
        'Degraded',
        unsupported.length > 0,
        unsupported.length ? 'UnsupportedField' : 'AsWritten',
        unsupported.length ? joined(unsupported) : `${mesh} expresses every field`,
      ),
      c(
        'Conflicted',
        o.conflicts.length > 0,
        o.conflicts[0]?.reason ?? 'NoConflicts',
        o.conflicts.length
          ? o.conflicts.map((x) => x.message).join('; ')
          : 'no other policy or object overlaps',
      ),
    ],
    objects: o.objects,
  };
}

/**
 * True when two statuses are the same (then nothing is written). Keys are compared sorted: the
 * API server stores a custom resource as a Go map and returns its keys in alphabetical order.
 */
export function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Server-side applies the status subresource as the controller's field manager. */
export async function writeStatus(
  client: KubeClient,
  policy: LiveObject,
  status: PolicyStatus,
  fieldManager: string,
): Promise<boolean> {
  const ns = policy.metadata.namespace ?? 'default';
  const path =
    `/apis/${policy.apiVersion}/namespaces/${encodeURIComponent(ns)}/${pluralOf(policy.kind)}` +
    `/${encodeURIComponent(policy.metadata.name)}/status?fieldManager=${fieldManager}&force=true`;
  try {
    await client.request(
      'PATCH',
      path,
      {
        apiVersion: policy.apiVersion,
        kind: policy.kind,
        metadata: { name: policy.metadata.name, namespace: ns },
        status,
      },
      'application/apply-patch+yaml',
    );
    return true;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return false; // deleted meanwhile
    throw err;
  }
}
