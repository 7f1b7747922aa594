/**
 * Import helpers for tests: native YAML text through the same path as `anymesh import`, and the
 * normal form that "equal modulo defaults" compares.
 */
import type { MeshAdapter } from '../../src/core/adapter.js';
import { cellForVersion } from '../../src/core/capabilities.js';
import { featuresUsed } from '../../src/core/compiler/usage.js';
import type { ImportSource } from '../../src/core/import.js';
import { type ImportRun, importLoaded } from '../../src/core/import-pipeline.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import type { FieldPath } from '../../src/core/loader/positions.js';
import { durationMs, formatDuration } from '../../src/core/model/duration.js';
import type { PolicyDoc } from '../../src/core/model/policy-doc.js';

export function importText(text: string, source: ImportSource, name = 'native.yaml', ctx = {}): ImportRun {
  return importLoaded(parseInputs([{ name, text }]), source, ctx);
}

type Obj = Record<string, unknown>;

const DURATION_KEYS = new Set(['timeout', 'perTryTimeout', 'duration', 'base', 'max', 'maxAge']);

/**
 * A policy with every default written out the same way: rule names `rule-<i>` dropped, a lone
 * backend's weight 100 dropped, a mirror's 100% dropped, durations in their shortest form, header
 * names lower-case (HTTP header names are case-insensitive), a backend port equal to spec.port
 * dropped (its default), `selector: {app: <service>}` dropped
 * (the assumed default), labels/annotations and onUnsupported dropped (never in any output).
 */
export function normalPolicy(p: Obj): Obj {
  const source = structuredClone(p) as Obj & { metadata: Obj; spec: Obj };
  // Key order is not meaning: build the copy with sorted keys.
  const copy = sortKeys(source) as Obj & { metadata: Obj; spec: Obj };
  copy.metadata = { name: copy.metadata.name, namespace: copy.metadata.namespace ?? 'default' };
  const spec = copy.spec;
  delete spec.onUnsupported;
  const sel = spec.selector as Obj | undefined;
  if (sel && Object.keys(sel).length === 1 && sel.app === spec.service) delete spec.selector;
  if (copy.kind === 'MTLSPolicy' && spec.scope === (spec.service ? 'service' : 'namespace'))
    delete spec.scope;
  // A caller's service account without a namespace is in the policy's namespace.
  for (const f of (spec.from as Obj[] | undefined) ?? [])
    if (f.serviceAccount !== undefined && f.namespace === undefined) f.namespace = copy.metadata.namespace;
  ((spec.rules as Obj[] | undefined) ?? []).forEach((rule, i) => {
    if (rule.name === `rule-${i}`) delete rule.name;
    const backends = rule.backends as Obj[] | undefined;
    if (backends?.length === 1 && (backends[0]!.weight === 100 || backends[0]!.weight === undefined))
      delete backends[0]!.weight;
    const mirror = rule.mirror as Obj | undefined;
    if (mirror && mirror.percentage === 100) delete mirror.percentage;
    // A backend's port defaults to spec.port.
    for (const b of [...(backends ?? []), ...(mirror?.backend ? [mirror.backend as Obj] : [])])
      if (b.port !== undefined && b.port === spec.port) delete b.port;
    // An empty match entry matches every request, as no matches do.
    if ((rule.matches as Obj[] | undefined)?.some((m) => Object.keys(m).length === 0)) delete rule.matches;
    for (const m of (rule.matches as Obj[] | undefined) ?? [])
      for (const h of (m.headers as Obj[] | undefined) ?? []) h.name = String(h.name).toLowerCase();
  });
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v as Obj)) {
        if (DURATION_KEYS.has(k) && typeof x === 'string') (v as Obj)[k] = formatDuration(durationMs(x));
        else walk(x);
      }
  };
  walk(spec);
  return copy;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Obj)[k])]),
    );
  return v;
}

/**
 * The paths of a policy that use a feature the mesh does not express fully (partial, emulated or
 * none in its capability column): what a compile for that mesh may lose or change, so a round trip
 * compares the rest. Deepest and last first, so they can be deleted in order.
 */
export function lossyPaths(doc: PolicyDoc, mesh: MeshAdapter): { path: FieldPath; dropped: boolean }[] {
  return featuresUsed(doc)
    .flatMap((u) => {
      const support = cellForVersion(mesh.capabilities[u.feature], undefined).support;
      // What the compiler leaves out of a `none` feature is its drop path (e.g. the whole source):
      // gone from the output, so only the original has it. A partial one may come back changed.
      if (support === 'full') return [];
      return [support === 'none' ? { path: u.drop, dropped: true } : { path: u.path, dropped: false }];
    })
    .sort((a, b) => JSON.stringify(b.path).localeCompare(JSON.stringify(a.path)));
}

/** Deletes `path` from a plain value (a list entry is spliced out). */
export function deletePath(root: unknown, path: FieldPath): void {
  let v: unknown = root;
  for (const seg of path.slice(0, -1)) {
    if (v === null || typeof v !== 'object') return;
    v = (v as Record<string | number, unknown>)[seg];
  }
  const last = path[path.length - 1];
  if (v === null || typeof v !== 'object' || last === undefined) return;
  if (Array.isArray(v) && typeof last === 'number') v.splice(last, 1);
  else delete (v as Record<string | number, unknown>)[last];
}

/**
 * Deletes `path` and then every mapping or list above it the deletion left empty (a policy field
 * whose only setting the mesh dropped, e.g. a fault with just an abort, is gone from the output too).
 */
export function deletePruned(root: unknown, path: FieldPath): void {
  deletePath(root, path);
  for (let n = path.length - 1; n > 0; n--) {
    const at = path.slice(0, n);
    let v: unknown = root;
    for (const seg of at)
      v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
    if (v && typeof v === 'object' && Object.keys(v).length === 0) deletePath(root, at);
    else break;
  }
}
