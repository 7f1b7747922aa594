/**
 * Small helpers shared by the Linkerd modules: the value formats Linkerd reads, names, and the
 * adapter's diagnostics.
 */
import type { KubeObject } from '../../core/adapter.js';
import {
  type Diagnostic,
  type DiagnosticContext,
  type DiagnosticParams,
  type MessageArgs,
  makeDiagnostic,
} from '../../core/diagnostics.js';
import { LINKERD_MESSAGES, type LinkerdMessage } from './messages.js';

export type Obj = Record<string, unknown>;

export interface Compiled {
  resources: KubeObject[];
  diagnostics: Diagnostic[];
}

/** A Linkerd diagnostic; its parameters are checked against the template of `name`. */
export function linkerdDiag<K extends LinkerdMessage>(
  name: K,
  ...args: MessageArgs<(typeof LINKERD_MESSAGES)[K]['template'], DiagnosticContext>
): Diagnostic {
  return makeDiagnostic<string>(LINKERD_MESSAGES[name], ...(args as [DiagnosticParams?, DiagnosticContext?]));
}

/**
 * A duration as Linkerd's annotation parser reads it: ONE integer and one unit (ms, s, m, h). Its
 * `parse_duration` (linkerd2 policy-controller/k8s/index/src/outbound/index.rs) splits at the last
 * digit, so Go-style compound values such as 1m30s are rejected; 90s is written instead.
 */
export function linkerdDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Escapes a literal for a regular expression (Rust regex / RE2 syntax: the classic metacharacters). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Anchors a user's RE2 expression so it must match the whole value: the model's regex matches whole
 * values, and whether Linkerd's matcher searches or matches whole values is not documented for
 * headers and query parameters. An anchored expression means the same under both readings.
 */
export function anchored(regex: string): string {
  return `^(?:${regex})$`;
}

/** DNS-1035 label (Service names): at most 63 characters. */
export const SERVICE_NAME_LIMIT = 63;
/** DNS-1123 subdomain (names of custom resources): at most 253 characters. */
export const OBJECT_NAME_LIMIT = 253;

/** Labels are merged in sorted key order, so output never depends on the order they were written in. */
export function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
