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

// Shared with every Gateway API adapter; re-exported for Linkerd's access and route modules.
export { anchored, escapeRegex } from '../kit/gateway-api.js';

export { SERVICE_NAME_LIMIT, sortedLabels } from '../kit/leaf-services.js';

/** DNS-1123 subdomain (names of custom resources): at most 253 characters. */
export const OBJECT_NAME_LIMIT = 253;
