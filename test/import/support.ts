/**
 * Import helpers for tests: native YAML text through the same path as `anymesh import`, and the
 * normal form that "equal modulo defaults" compares.
 */
import type { MeshAdapter } from '../../src/core/adapter.js';
import type { CapabilityColumn } from '../../src/core/capabilities.js';
import { cellForProtocol, cellForVersion, policyProtocol } from '../../src/core/capabilities.js';
import type { CompileOptions } from '../../src/core/compiler/compile.js';
import { degrade } from '../../src/core/compiler/degrade.js';
import { featuresUsed } from '../../src/core/compiler/usage.js';
import { type ImportSource, leaves } from '../../src/core/import.js';
import { type ImportRun, importLoaded } from '../../src/core/import-pipeline.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import { type FieldPath, formatPath } from '../../src/core/loader/positions.js';
import { durationMs, formatDuration } from '../../src/core/model/duration.js';
import type { PolicyDoc } from '../../src/core/model/policy-doc.js';
import { outlierDetection, type TrafficPolicy } from '../../src/core/model/schema.js';
import { compileLoaded, type LoadedPolicies } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';

export function importText(text: string, source: ImportSource, name = 'native.yaml', ctx = {}): ImportRun {
  return importLoaded(parseInputs([{ name, text }], source.format), source, ctx);
}

type Obj = Record<string, unknown>;

const DURATION_KEYS = new Set(['timeout', 'perTryTimeout', 'duration', 'base', 'max', 'maxAge']);

/**
 * A policy with every default written out the same way: rule names `rule-<i>` dropped, a lone
 * backend's weight 100 dropped, a mirror's 100% dropped, durations in their shortest form, header
 * names lower-case (HTTP header names are case-insensitive), `selector: {app: <service>}` dropped
 * (the assumed default), a gateway's own namespace dropped, labels/annotations and onUnsupported
 * dropped (never in any output).
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
  // A gateway in the policy's own namespace, the default, named or not.
  const gateway = spec.gateway as Obj | undefined;
  if (gateway && gateway.namespace === copy.metadata.namespace) delete gateway.namespace;
  withCallerNamespaces(copy);
  // Outlier detection with its defaults written out (App Mesh requires every field).
  if (copy.kind === 'BackendPolicy' && spec.outlierDetection)
    spec.outlierDetection = sortKeys(outlierDetection(spec.outlierDetection as never));
  // Callers are ORed: their order is not meaning.
  if (Array.isArray(spec.from)) spec.from = sortedByJson(spec.from);
  // Sources and match entries are ORed too: one given twice says nothing more (a mesh that writes
  // every match entry for every source cannot tell [s] x [m, m] from [s, s] x [m]).
  if (Array.isArray(spec.sources)) spec.sources = unique(spec.sources);
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
    if (Array.isArray(rule.matches)) rule.matches = unique(rule.matches as Obj[]);
    // An empty match entry matches every request, as no matches do.
    if ((rule.matches as Obj[] | undefined)?.some((m) => Object.keys(m).length === 0)) delete rule.matches;
    for (const m of (rule.matches as Obj[] | undefined) ?? [])
      for (const h of (m.headers as Obj[] | undefined) ?? []) h.name = String(h.name).toLowerCase();
    // A field left an empty mapping (a fault whose abort a mesh lacks) says nothing.
    for (const [k, v] of Object.entries(rule))
      if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) delete rule[k];
    // Retry conditions are a set.
    const retries = rule.retries as Obj | undefined;
    if (Array.isArray(retries?.retryOn)) retries.retryOn = [...(retries.retryOn as string[])].sort();
  });
  if (Array.isArray(spec.rules)) spec.rules = mergeRules(spec.rules as Obj[]);
  // Sources and a rule's match entries are ORed: the same one twice says nothing more. (A mesh
  // writing every match x source combination cannot tell [m, m] x [s] from [m] x [s, s].)
  if (Array.isArray(spec.sources)) spec.sources = uniqueByJson(spec.sources as Obj[]);
  for (const rule of (spec.rules as Obj[] | undefined) ?? [])
    if (Array.isArray(rule.matches)) rule.matches = uniqueByJson(rule.matches as Obj[]);
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

function uniqueByJson(list: readonly Obj[]): Obj[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const key = JSON.stringify(sortKeys(x));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A caller's service account without a namespace is in the policy's namespace: written out (in
 * place), before any field is deleted from the policy.
 */
export function withCallerNamespaces(p: Obj): Obj {
  const meta = p.metadata as Obj;
  const spec = p.spec as Obj;
  for (const f of (spec.from as Obj[] | undefined) ?? [])
    if (f.serviceAccount !== undefined && f.namespace === undefined)
      f.namespace = meta.namespace ?? 'default';
  return p;
}

/** The entries of a list without repeats (first occurrence kept). */
const unique = <T>(xs: readonly T[]): T[] =>
  xs.filter((x, i) => xs.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i);

const sortedByJson = (xs: unknown[]) =>
  [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * Consecutive unnamed rules that differ only in their matches are one rule with both match lists:
 * the first match wins and both lead to the same place, so the routing is the same (a mesh whose
 * routes carry no rule names, such as Consul's, writes both forms alike).
 */
function mergeRules(rules: readonly Obj[]): Obj[] {
  const out: Obj[] = [];
  const rest = (r: Obj) => {
    const { matches: _, ...x } = r;
    return JSON.stringify(x);
  };
  for (const rule of rules) {
    const prev = out[out.length - 1];
    if (prev && prev.name === undefined && rule.name === undefined && rest(prev) === rest(rule)) {
      const matches = [
        ...((prev.matches as Obj[] | undefined) ?? [{}]),
        ...((rule.matches as Obj[] | undefined) ?? [{}]),
      ];
      if (matches.some((m) => Object.keys(m).length === 0)) delete prev.matches;
      else prev.matches = matches;
    } else out.push(rule);
  }
  return out;
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
export function lossyPaths(
  doc: PolicyDoc,
  capabilities: CapabilityColumn,
): { path: FieldPath; dropped: boolean }[] {
  return (
    featuresUsed(doc)
      .flatMap((u) => {
        const support = cellForVersion(
          cellForProtocol(capabilities[u.feature], policyProtocol(doc)),
          undefined,
        ).support;
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
 * The policy as a degraded compile for `mesh` sees it (core/compiler/degrade.ts, as
 * --allow-degraded): what the mesh cannot express (`none`) left out the compiler's own way, with
 * what goes with it (a rule whose every match entry went, retries whose every condition went).
 * Undefined when the compile leaves the whole policy out. Comparing a round trip against this
 * rather than deleting each drop path from the original keeps the harness from guessing at
 * degrade's rules.
 */
export function degradedDoc(doc: PolicyDoc, capabilities: CapabilityColumn): PolicyDoc | undefined {
  const drops = featuresUsed(doc).filter(
    (u) =>
      cellForVersion(cellForProtocol(capabilities[u.feature], policyProtocol(doc)), undefined).support ===
      'none',
  );
  const r = degrade(doc.policy, drops);
  if (!r.policy) return undefined;
  return r.policy === doc.policy ? doc : { ...doc, policy: r.policy };
}

/**
 * Whether a policy uses issue 16's protocol fields (spec.protocol, gRPC matches, redirects,
 * rewrites), which not every importer reads back yet (test/import/roundtrip.test.ts).
 */
export function usesProtocolFields(doc: PolicyDoc): boolean {
  if (doc.kind !== 'TrafficPolicy') return false;
  const spec = (doc.policy as TrafficPolicy).spec;
  return (
    spec.protocol !== undefined ||
    spec.rules.some((r) => r.redirect || r.rewrite || r.matches?.some((m) => m.grpc))
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

/**
 * The fields of a policy its mesh's output does not carry: each candidate (the selector, a
 * caller's namespace, rule names, a backend's port, retry conditions, a version) is deleted in turn and the
 * policies compiled again; a field whose removal leaves the output byte for byte the same cannot
 * come back from that output, so a round trip compares the rest. (Consul routes carry no rule names, name services without
 * ports and callers without namespaces on Community Edition, and write retries without retryOn as
 * connect-failure and refused-stream.)
 */
export function uncarriedPaths(
  loaded: LoadedPolicies,
  doc: PolicyDoc,
  mesh: MeshAdapter,
  native: string,
  options: CompileOptions = {},
): FieldPath[] {
  const spec = doc.policy.spec as Obj;
  const candidates: FieldPath[] = [];
  if (spec.selector !== undefined) candidates.push(['spec', 'selector']);
  // A protocol the output does not say (Istio's sidecar VirtualService of a grpc policy without
  // gRPC matches is that of an http policy; Istio reads it from the Service, not anymesh's output).
  if (spec.protocol !== undefined) candidates.push(['spec', 'protocol']);
  // A port only the routes to the service itself carry (at a gateway spec.port is not a match):
  // none when every rule sends elsewhere.
  if (spec.port !== undefined) candidates.push(['spec', 'port']);
  // A version no rule routes to is carried only by meshes that write every version (Istio's
  // subsets), not by those that write one object per routed version (Linkerd's leaf Services).
  for (const v of Object.keys((spec.versions as Obj | undefined) ?? {}))
    candidates.push(['spec', 'versions', v]);
  ((spec.from as Obj[] | undefined) ?? []).forEach((f, i) => {
    if (f.namespace !== undefined && f.serviceAccount !== undefined)
      candidates.push(['spec', 'from', i, 'namespace']);
  });
  // TCP rules after the first are never reached (no matches): a mesh may write the first only
  // (Istio's ambient TCPRoute). Last first, so that deleting them in order keeps the indices.
  const rules = (spec.rules as Obj[] | undefined) ?? [];
  if (spec.protocol === 'tcp')
    for (let i = rules.length - 1; i > 0; i--) candidates.push(['spec', 'rules', i]);
  rules.forEach((rule, i) => {
    if (rule.name !== undefined) candidates.push(['spec', 'rules', i, 'name']);
    ((rule.backends as Obj[] | undefined) ?? []).forEach((b, j) => {
      if (b.port !== undefined) candidates.push(['spec', 'rules', i, 'backends', j, 'port']);
    });
    const mirror = (rule.mirror as Obj | undefined)?.backend as Obj | undefined;
    if (mirror?.port !== undefined) candidates.push(['spec', 'rules', i, 'mirror', 'backend', 'port']);
    if ((rule.retries as Obj | undefined)?.retryOn !== undefined)
      candidates.push(['spec', 'rules', i, 'retries', 'retryOn']);
    // A per-try timeout the mesh writes anyway (App Mesh requires one: the route's timeout, or its
    // 15 s default) is the same output as none.
    if ((rule.retries as Obj | undefined)?.perTryTimeout !== undefined)
      candidates.push(['spec', 'rules', i, 'retries', 'perTryTimeout']);
  });
  return candidates.filter((path) => {
    const policies = loaded.policies.map((p) => {
      if (p !== doc) return p;
      const policy = structuredClone(p.policy);
      deletePath(policy, path);
      return { ...p, policy } as PolicyDoc;
    });
    const r = compileLoaded({ ...loaded, policies }, mesh, options);
    return r.ok && renderYaml(r.resources) === native;
  });
}

/**
 * The independent walk over every leaf of a native input: the `Kind/namespace/name path` of each
 * leaf that no positioned diagnostic of its object covers (objects listed as skipped excepted).
 * Those must be exactly what the ledger counts as imported losslessly, or something was dropped
 * without a word. `quiet` codes are info diagnostics that still report a field.
 */
export function unreportedLeaves(
  text: string,
  name: string,
  run: ImportRun,
  quiet: readonly string[] = [],
): { leaves: string[]; total: number } {
  const reported = run.diagnostics.filter((d) => d.level !== 'info' || quiet.includes(d.code));
  const skipped = new Set(run.skipped.map((s) => s.ref));
  const out: string[] = [];
  let total = 0;
  for (const doc of parseInputs([{ name, text }]).documents) {
    const o = doc.value as { kind: string; metadata: { name: string; namespace?: string } };
    const ref = `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    if (skipped.has(ref)) continue;
    for (const leaf of leaves(o)) {
      total++;
      const path = formatPath(leaf);
      const covered = reported.some(
        (d) =>
          d.policy === ref &&
          (path === d.path || path.startsWith(`${d.path}.`) || path.startsWith(`${d.path}[`)),
      );
      if (!covered) out.push(`${ref} ${path}`);
    }
  }
  return { leaves: out, total };
}

type Importer = MeshAdapter & Required<Pick<MeshAdapter, 'import'>>;

/** A mesh's output an importer is held to: one capability column of the mesh. */
export interface ImportTarget {
  readonly name: string;
  readonly mesh: Importer;
  /** The column's adapter options. */
  readonly options: Readonly<Record<string, string>>;
  /**
   * Objects of the output the import lists instead of reading (ambient: the waypoint Gateway and
   * the Services holding only its binding label, which compiling the policies writes again).
   */
  readonly listed: (ref: string) => boolean;
  /** Conditions the mesh retries on whenever a rule retries, which its output does not list. */
  readonly alwaysRetried: readonly string[];
}

/** Every importing mesh's default output, and Istio's ambient output too. */
export function importTargets(meshes: readonly MeshAdapter[]): ImportTarget[] {
  return meshes
    .filter((m): m is Importer => !!m.import)
    .flatMap((mesh): ImportTarget[] => [
      { name: mesh.id, mesh, options: {}, listed: () => false, alwaysRetried: [] },
      ...(mesh.id === 'istio'
        ? [
            {
              name: 'istio ambient',
              mesh,
              options: { 'istio.dataplane': 'ambient' },
              listed: (ref: string) => ref.startsWith('Gateway/') || ref.startsWith('Service/'),
              // A Gateway API retry retries these as well (pilot/pkg/config/kube/gateway/
              // conversion.go convertHTTPRoute), so the import lists them whatever the policy said.
              alwaysRetried: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'],
            },
          ]
        : []),
    ]);
}

/** Deletes the conditions `always` from every retryOn of the policy (an emptied list goes). */
export function withoutRetried(policy: unknown, always: readonly string[]): void {
  const rules = (policy as { spec: { rules?: { retries?: { retryOn?: string[] } }[] } }).spec.rules ?? [];
  for (const rule of rules) {
    const r = rule.retries;
    if (!always.length || !r?.retryOn) continue;
    r.retryOn = r.retryOn.filter((c) => !always.includes(c));
    if (!r.retryOn.length) delete r.retryOn;
  }
}
