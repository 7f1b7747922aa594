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
import { outlierDetection } from '../../src/core/model/schema.js';

export function importText(text: string, source: ImportSource, name = 'native.yaml', ctx = {}): ImportRun {
  return importLoaded(parseInputs([{ name, text }]), source, ctx);
}

type Obj = Record<string, unknown>;

const DURATION_KEYS = new Set(['timeout', 'perTryTimeout', 'duration', 'base', 'max', 'maxAge']);

/**
 * A policy with every default written out the same way: rule names `rule-<i>` dropped, a lone
 * backend's weight 100 dropped, a mirror's 100% dropped, durations in their shortest form, header
 * names lower-case (HTTP header names are case-insensitive), `selector: {app: <service>}` dropped
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
  // Outlier detection with its defaults written out (App Mesh requires every field).
  if (copy.kind === 'BackendPolicy' && spec.outlierDetection)
    spec.outlierDetection = sortKeys(outlierDetection(spec.outlierDetection as never));
  // Callers of an allow or deny list are a set: their order is not meaning.
  if (Array.isArray(spec.from))
    spec.from = [...(spec.from as Obj[])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  ((spec.rules as Obj[] | undefined) ?? []).forEach((rule, i) => {
    if (rule.name === `rule-${i}`) delete rule.name;
    const backends = rule.backends as Obj[] | undefined;
    if (backends?.length === 1 && (backends[0]!.weight === 100 || backends[0]!.weight === undefined))
      delete backends[0]!.weight;
    const mirror = rule.mirror as Obj | undefined;
    if (mirror && mirror.percentage === 100) delete mirror.percentage;
    // Every path starts with /, so a prefix / matches every path, as no path match does.
    for (const m of (rule.matches as Obj[] | undefined) ?? [])
      if ((m.path as Obj | undefined)?.prefix === '/' && Object.keys(m.path as Obj).length === 1)
        delete m.path;
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
  return (
    featuresUsed(doc)
      .flatMap((u) => {
        const support = cellForVersion(mesh.capabilities[u.feature], undefined).support;
        // What the compiler leaves out of a `none` feature is its drop path (e.g. the whole source):
        // gone from the output, so only the original has it. A partial one may come back changed.
        if (support === 'full') return [];
        return [support === 'none' ? { path: u.drop, dropped: true } : { path: u.path, dropped: false }];
      })
      // Several uses can share a drop path (two conditions of one match entry): delete it once.
      .filter((x, i, all) => all.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i)
      .sort((a, b) => JSON.stringify(b.path).localeCompare(JSON.stringify(a.path)))
  );
}

/**
 * Deletes `path` from a plain value (a list entry is spliced out). A mapping or list the deletion
 * leaves empty goes too (a `responseHeaders: {}` whose only operation the mesh does not express
 * says nothing), unless it is a list entry, where an empty entry can mean something (a match-all).
 */
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
  const parentKey = path[path.length - 2];
  if (path.length > 1 && typeof parentKey === 'string' && Object.keys(v as object).length === 0)
    deletePath(root, path.slice(0, -1));
}
