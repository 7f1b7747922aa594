/**
 * Compiling a namespace's policies as the controller sees them, through the SAME pipeline as
 * `anymesh compile` (loadInputs -> validation -> overlap analysis -> compileLoaded). A policy with
 * an error (invalid, a refused feature, a conflict with another policy) is left out and the rest
 * compiled again, so one bad policy does not stop the others; both sides of a conflict are left out.
 */
import { createHash } from 'node:crypto';
import type { LiveObject } from '../cluster/objects.js';
import type { CompileContext, KubeObject, MeshAdapter } from '../core/adapter.js';
import type { Diagnostic } from '../core/diagnostics.js';
import { compileLoaded, loadInputs } from '../core/pipeline.js';

export interface NamespaceCompile {
  readonly resources: KubeObject[];
  /** Every diagnostic, by policy ref (`Kind/namespace/name`), from the last compile it was part of. */
  readonly byPolicy: Map<string, Diagnostic[]>;
  /** Refs left out because of their errors (or a conflict naming them). */
  readonly excluded: Set<string>;
  /** Errors no policy could be blamed for: nothing was compiled. */
  readonly global: Diagnostic[];
}

export const refOf = (p: LiveObject) => `${p.kind}/${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

/** The policy as the model knows it: server-set metadata and status dropped (Metadata is strict). */
export function asDocument(p: LiveObject): Record<string, unknown> {
  const md = p.metadata;
  return {
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: {
      name: md.name,
      namespace: md.namespace,
      ...(md.labels ? { labels: md.labels } : {}),
      ...(md.annotations ? { annotations: md.annotations } : {}),
    },
    spec: p.spec,
  };
}

const REF = /\b(?:TrafficPolicy|AccessPolicy|MTLSPolicy)\/[a-z0-9.-]+\/[a-z0-9.-]+/g;

/** The policies a diagnostic is about: its own, and for an overlap every policy its message names. */
export function refsOf(d: Diagnostic): string[] {
  const refs = d.policy ? [d.policy] : [];
  if (d.code === 'AM3011') refs.push(...(d.message.match(REF) ?? []));
  return [...new Set(refs)];
}

export function compileNamespace(
  policies: readonly LiveObject[],
  adapter: MeshAdapter,
  context: Partial<CompileContext>,
  namespace: string,
): NamespaceCompile {
  const excluded = new Set<string>();
  const byPolicy = new Map<string, Diagnostic[]>();
  for (;;) {
    const kept = policies.filter((p) => !excluded.has(refOf(p)));
    if (kept.length === 0) return { resources: [], byPolicy, excluded, global: [] };
    const inputs = kept.map((p) => ({ name: refOf(p), text: JSON.stringify(asDocument(p), null, 1) }));
    const r = compileLoaded(loadInputs(inputs, { defaultNamespace: namespace }), adapter, { context });
    for (const p of kept) byPolicy.set(refOf(p), []);
    const global: Diagnostic[] = [];
    const blamed = new Set<string>();
    for (const d of r.diagnostics) {
      const refs = refsOf(d);
      for (const ref of refs) byPolicy.get(ref)?.push(d);
      if (d.level !== 'error') continue;
      if (refs.length === 0) global.push(d);
      for (const ref of refs) blamed.add(ref);
    }
    if (r.ok) return { resources: r.resources, byPolicy, excluded, global: [] };
    const fresh = [...blamed].filter((ref) => !excluded.has(ref) && byPolicy.has(ref));
    if (global.length || fresh.length === 0) return { resources: [], byPolicy, excluded, global };
    for (const ref of fresh) excluded.add(ref);
  }
}

/** A digest of what the controller asked for, kept on each object: drift is a live object that differs while this stays. */
export const DESIRED_HASH_ANNOTATION = 'anymesh.dev/desired-hash';

export function withDesiredHash(obj: KubeObject): KubeObject {
  const hash = createHash('sha256').update(JSON.stringify(obj)).digest('base64url').slice(0, 16);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [DESIRED_HASH_ANNOTATION]: hash },
    },
  };
}
