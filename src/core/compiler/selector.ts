/**
 * The pod labels of a service. Meshes that select workloads (Istio's workload selectors, Linkerd
 * Servers, App Mesh virtual nodes) need them; policies may omit `spec.selector`, and then anymesh
 * assumes the common `app: <service>` convention and says so, since a wrong guess selects nothing.
 */
import { type Diagnostic, diag } from '../diagnostics.js';
import type { PolicyDoc } from '../model/policy-doc.js';

export interface ResolvedSelector {
  readonly labels: Record<string, string>;
  readonly diagnostic?: Diagnostic;
}

export function resolveSelector(doc: PolicyDoc, service: string): ResolvedSelector {
  const given = (doc.policy.spec as { selector?: Record<string, string> }).selector;
  if (given) return { labels: given };
  const labels = { app: service };
  return {
    labels,
    diagnostic: diag('SelectorDefaulted', { service, labels: 'app=' + service }, doc.at(['spec', 'service'])),
  };
}
