/**
 * The fixture kit every unit test uses: policy builders, loading and compiling through the same
 * pipeline as `anymesh validate` / `anymesh compile` (src/core/pipeline.ts, overlap analysis
 * included), every output object checked against its official schema, and lookups of objects.
 */
import { expect } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import type { KubeObject, MeshAdapter } from '../../src/core/adapter.js';
import type { CompileOptions, CompileResult } from '../../src/core/compiler/compile.js';
import { type Diagnostic, formatDiagnostic } from '../../src/core/diagnostics.js';
import type { Input } from '../../src/core/loader/loader.js';
import { compileLoaded, type LoadedPolicies, type LoadOptions, loadInputs } from '../../src/core/pipeline.js';
import { CrdCatalog } from './crd-schema.js';

// ---- policies --------------------------------------------------------------------------------

export const API = 'apiVersion: anymesh.dev/v1alpha1';

export interface Meta {
  readonly name?: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

const DEFAULT_NAME: Record<string, string> = {
  TrafficPolicy: 'reviews',
  AccessPolicy: 'readers',
  MTLSPolicy: 'strict',
};

/**
 * One policy document. The layout is fixed so tests can name positions: apiVersion on line 1,
 * kind 2, metadata 3, `spec:` 4, and `spec` (already indented by two spaces) from line 5.
 * `meta` as a string is the metadata mapping as written (for tests of bad metadata).
 */
export function policy(kind: string, spec: string, meta: Meta | string = {}): string {
  const metadata = typeof meta === 'string' ? meta : metadataOf(kind, meta);
  return `${API}\nkind: ${kind}\nmetadata: ${metadata}\nspec:\n${spec}${spec.endsWith('\n') ? '' : '\n'}`;
}

function metadataOf(kind: string, meta: Meta): string {
  const name = meta.name ?? DEFAULT_NAME[kind] ?? 'fixture';
  const annotations = meta.annotations ? `, annotations: ${JSON.stringify(meta.annotations)}` : '';
  return `{name: ${name}, namespace: ${meta.namespace ?? 'bookinfo'}${annotations}}`;
}

const named = (name?: string, namespace?: string): Meta => ({
  ...(name === undefined ? {} : { name }),
  ...(namespace === undefined ? {} : { namespace }),
});

export const traffic = (spec: string, name?: string, namespace?: string) =>
  policy('TrafficPolicy', spec, named(name, namespace));

export const access = (spec: string, name?: string, namespace?: string) =>
  policy('AccessPolicy', spec, named(name, namespace));

export const mtls = (spec: string, name?: string, namespace?: string) =>
  policy('MTLSPolicy', spec, named(name, namespace));

// ---- loading and compiling -------------------------------------------------------------------

/** YAML text (one file named `test.yaml`) or several named files. */
export type Docs = string | readonly Input[];

const inputs = (docs: Docs): Input[] =>
  typeof docs === 'string' ? [{ name: 'test.yaml', text: docs }] : [...docs];

/** Loads and validates as `anymesh validate` does (overlap analysis on unless turned off). */
export function load(docs: Docs, options: LoadOptions = {}): LoadedPolicies {
  return loadInputs(inputs(docs), options);
}

export interface KitOptions extends CompileOptions {
  /** Adapter options, as `--option key=value` gives them (merged into `context.options`). */
  readonly options?: Readonly<Record<string, string>>;
}

/**
 * Compiles for one mesh as `anymesh compile` does. Invalid test input (the model or the overlap
 * analysis refuses it) is a bug in the test, so it throws; diagnostics of the compile itself
 * (refusals, warnings) are in the result. Every object made is checked against its schema.
 */
export function compileFor(
  mesh: MeshAdapter | keyof typeof ADAPTERS,
  docs: Docs,
  options: KitOptions = {},
): CompileResult {
  const adapter = typeof mesh === 'string' ? ADAPTERS[mesh]! : mesh;
  const loaded = load(docs);
  if (!loaded.ok) {
    throw new Error(`test input is invalid:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  const { options: adapterOptions, ...compileOptions } = options;
  const r = compileLoaded(
    loaded,
    adapter,
    adapterOptions
      ? {
          ...compileOptions,
          context: {
            ...compileOptions.context,
            options: { ...compileOptions.context?.options, ...adapterOptions },
          },
        }
      : compileOptions,
  );
  expectConformant(r.resources, adapter);
  return r;
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}

// ---- diagnostics as tables -------------------------------------------------------------------

/**
 * Where a diagnostic is expected: `L:C` literally, or a needle whose first character (its `nth`
 * occurrence, from 1) is the position, so tables stay readable and survive edits to the YAML.
 */
export type Where = string | readonly [needle: string, nth: number];

/** The 1-based `line:col` of `where` in `text`. */
export function positionOf(text: string, where: Where): string {
  if (typeof where === 'string' && /^\d+:\d+$/.test(where)) return where;
  const [needle, nth] = typeof where === 'string' ? [where, 1] : where;
  let idx = -1;
  for (let i = 0; i < nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test bug: ${JSON.stringify(needle)} #${nth} is not in the input`);
  }
  const before = text.slice(0, idx);
  return `${before.split('\n').length}:${idx - before.lastIndexOf('\n')}`;
}

/** Diagnostics as sorted `CODE path @line:col` rows, the three things tests assert. */
export function rows(ds: readonly Diagnostic[]): string[] {
  return ds
    .map((d) => `${d.code} ${d.path ?? ''} @${d.location?.line ?? '-'}:${d.location?.col ?? '-'}`)
    .sort();
}

/** The expected rows for a table entry. */
export function expectedRows(
  text: string,
  expected: readonly (readonly [string, string, Where])[],
): string[] {
  return expected.map(([code, path, where]) => `${code} ${path} @${positionOf(text, where)}`).sort();
}

// ---- schemas ---------------------------------------------------------------------------------

/** One catalog per set of CRD folders a descriptor names (`crdFolders`); the default one else. */
const catalogs = new Map<string, CrdCatalog>();
function catalogFor(folders: readonly string[] | undefined): CrdCatalog {
  const key = folders?.join(',') ?? '';
  let c = catalogs.get(key);
  if (!c) {
    c = folders ? new CrdCatalog(undefined, folders) : new CrdCatalog();
    catalogs.set(key, c);
  }
  return c;
}

/** Core Services have no CRD: checks the fields and rules of the v1 Service API that anymesh's Services use. */
function serviceProblems(o: KubeObject): string[] {
  const problems: string[] = [];
  const spec = (o as Native).spec;
  // A metadata-only Service: server-side apply of a mesh's keys on the user's Service, which it must
  // not otherwise touch: Istio ambient's waypoint binding (one label), Linkerd's failure accrual
  // (its balancer.linkerd.io annotations, no label).
  if (spec === undefined) {
    const labels = Object.keys(o.metadata.labels ?? {});
    const annotations = Object.keys(o.metadata.annotations ?? {});
    const binding = labels.length === 1 && labels[0] === 'istio.io/use-waypoint' && !annotations.length;
    const accrual =
      !labels.length &&
      annotations.includes('balancer.linkerd.io/failure-accrual') &&
      annotations.every((k) => k.startsWith('balancer.linkerd.io/failure-accrual'));
    const metaKeys = Object.keys(o.metadata).filter(
      (k) => !['name', 'namespace', 'labels', 'annotations'].includes(k),
    );
    if (!(binding || accrual) || Object.keys(o).length !== 3 || metaKeys.length)
      problems.push(
        'a Service without spec must hold only a mesh binding: the istio.io/use-waypoint label, or Linkerd failure-accrual annotations',
      );
    return problems;
  }
  if (o.apiVersion !== 'v1') problems.push(`apiVersion ${o.apiVersion}`);
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name) || o.metadata.name.length > 63)
    problems.push(`name ${o.metadata.name} is not a DNS-1035 label`);
  if (!o.metadata.namespace) problems.push('no namespace');
  const allowed = new Set(['selector', 'ports']);
  for (const k of Object.keys(spec)) if (!allowed.has(k)) problems.push(`unexpected spec.${k}`);
  if (!spec.selector || Object.keys(spec.selector).length === 0) problems.push('empty selector');
  if (!Array.isArray(spec.ports) || spec.ports.length === 0) problems.push('no ports');
  for (const p of spec.ports ?? []) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) problems.push(`port ${p.port}`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || p.name.length > 15 || !/[a-z]/.test(p.name))
      problems.push(`port name ${p.name} is not an IANA_SVC_NAME`);
    if (p.protocol !== 'TCP') problems.push(`protocol ${p.protocol}`);
  }
  return problems;
}

/** What is wrong with one object under its official schema (CRD, or the v1 Service rules). */
export function schemaProblems(o: KubeObject, crdFolders?: readonly string[]): string[] {
  if (o.apiVersion === 'v1' && o.kind === 'Service') return serviceProblems(o);
  return catalogFor(crdFolders).validate(o);
}

function expectConformant(resources: readonly KubeObject[], adapter: MeshAdapter): void {
  for (const r of resources)
    expect(schemaProblems(r, adapter.crdFolders), `${r.kind}/${r.metadata.name}`).toEqual([]);
}

// ---- looking at output -----------------------------------------------------------------------

/** An output object with its spec open for assertions. */
export type Native = KubeObject & { spec: Record<string, any> };

/** The object of that kind (and name, and namespace); throws, listing what there is, if none. */
export function findObject(
  resources: readonly KubeObject[],
  kind: string,
  name?: string,
  namespace?: string,
): Native {
  const found = maybeObject(resources, kind, name, namespace);
  if (!found) {
    const have = resources.map((r) => `${r.kind}/${r.metadata.name}`).join(', ');
    throw new Error(`no ${kind} ${name ?? ''} in ${have || 'nothing'}`);
  }
  return found;
}

/** The object of that kind (and name, and namespace), or undefined. */
export function maybeObject(
  resources: readonly KubeObject[],
  kind: string,
  name?: string,
  namespace?: string,
): Native | undefined {
  return resources.find(
    (r) =>
      r.kind === kind &&
      (name === undefined || r.metadata.name === name) &&
      (namespace === undefined || r.metadata.namespace === namespace),
  ) as Native | undefined;
}

/** Every object of that kind, in output order. */
export const objectsOf = (resources: readonly KubeObject[], kind: string) =>
  resources.filter((r) => r.kind === kind) as Native[];

/** `Kind/namespace/name` of every object, in output order. */
export const kinds = (resources: readonly KubeObject[]) =>
  resources.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`);

// ---- adapter options tests share -------------------------------------------------------------

/** App Mesh mTLS with certificates from SPIRE through SDS (the common certificate source). */
export const APPMESH_SDS = {
  'appmesh.tls.certificate': 'sds',
  'appmesh.tls.sdsSecretName': 'spiffe://prod.example/ns/{namespace}/sa/{service}',
};
