/**
 * Consul config entries as `consul config write` and `PUT /v1/config` take them (HCL or JSON:
 * `Kind = "service-router"`, `Name`, PascalCase fields), read as the consul-k8s CRD objects the
 * importer joins, so the raw form has the same joins and the same field ledger. What is read:
 * - one entry per document, a JSON array of entries (what `anymesh compile --mesh consul -o json
 *   --option consul.output=config-entries` prints, and `consul config read` lists), and an agent
 *   configuration's `config_entries { bootstrap { ... } }` (its keys in snake_case);
 * - keys as Consul's decoder takes them (lib/decode HookTranslateKeys, case-insensitive, snake_case
 *   or PascalCase): `PathPrefix`, `path_prefix` and `pathPrefix` are the CRD's `pathPrefix`; the
 *   acronyms HTTP, JWT, TTL, TLS, SNI, IP are lower-cased as the CRDs spell them (`http`, `ttl`,
 *   `sourceIP`); keys of free-form maps (subset names, header names, `Meta`, ProxyDefaults
 *   `Config`) are kept as written (config-entry.ts writes the same form the other way);
 * - `Name` is metadata.name (for service-intentions also the destination's name), `Namespace`
 *   the namespace (Consul Enterprise), `Partition` the admin partition, `Meta` the annotations
 *   (anymesh's own `managed-by` and `source-policies` meta name the source policies, as the CRDs'
 *   label and annotation do), and `CreateIndex`/`ModifyIndex`/`Hash` (what `consul config read`
 *   adds) server state, like a Kubernetes object's `status`.
 * Every diagnostic names the field as the file writes it (`Routes[0].Destination.PrefixRewrite`)
 * at its line and column.
 */

import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SOURCE_ANNOTATION,
  SOURCE_COUNT_ANNOTATION,
} from '../../core/adapter.js';
import type { SourceLocation } from '../../core/diagnostics.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { NativeFormat, NativeObject } from '../../core/import.js';
import { decodeInput } from '../../core/loader/decode.js';
import type { LoadedDocument, LoadResult } from '../../core/loader/loader.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { API_VERSION } from './entries.js';
import { locateIn, parseHcl } from './import-hcl.js';
import { consulMessages } from './messages.js';

type Obj = Record<string, unknown>;

/** `Kind` values and the CRD kinds they are (hashicorp/consul api/config_entry.go constants). */
const KINDS: Record<string, string> = {
  'service-defaults': 'ServiceDefaults',
  'proxy-defaults': 'ProxyDefaults',
  'service-router': 'ServiceRouter',
  'service-splitter': 'ServiceSplitter',
  'service-resolver': 'ServiceResolver',
  'service-intentions': 'ServiceIntentions',
  mesh: 'Mesh',
  'ingress-gateway': 'IngressGateway',
  'terminating-gateway': 'TerminatingGateway',
  'exported-services': 'ExportedServices',
  'sameness-group': 'SamenessGroup',
  'jwt-provider': 'JWTProvider',
  'control-plane-request-limit': 'ControlPlaneRequestLimit',
  'api-gateway': 'APIGateway',
  'bound-api-gateway': 'BoundAPIGateway',
  'http-route': 'HTTPRoute',
  'tcp-route': 'TCPRoute',
  'inline-certificate': 'InlineCertificate',
  'file-system-certificate': 'FileSystemCertificate',
};

/** The singletons' fixed names (api/config_entry.go: ProxyConfigGlobal, MeshConfigMesh). */
const FIXED_NAME: Record<string, string> = { ProxyDefaults: 'global', Mesh: 'mesh' };

/** Words Consul writes in capitals that the CRDs write in lower case at the start of a name. */
const ACRONYMS = ['HTTP', 'JWT', 'TTL', 'TLS', 'SNI', 'IP', 'ID', 'ACL', 'DNS', 'URL', 'JSON', 'JWKS'];

/** Maps whose keys are the user's (kept as written); their values are still converted. */
const FREE_KEYS = new Set(['subsets', 'failover']);
/** Maps whose keys and values are the user's, kept whole. */
const OPAQUE = new Set(['add', 'set', 'meta', 'config', 'arguments', 'nodeMeta']);
/**
 * Fields that are lists in the CRDs: an HCL block given once (`Routes { ... }`) is one element,
 * as Consul's decoder (lib/decode HookWeakDecodeFromSlice, the other way) reads it.
 */
const LISTS = new Set([
  'routes',
  'splits',
  'sources',
  'permissions',
  'header',
  'queryParam',
  'overrides',
  'hashPolicies',
  'targets',
  'envoyExtensions',
  'listeners',
  'services',
  'consumers',
  'members',
]);

/** A Consul field name as the CRDs write it. */
export function crdFieldName(key: string): string {
  if (key.includes('_'))
    return key
      .toLowerCase()
      .split('_')
      .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
      .join('');
  const acronym = ACRONYMS.find((a) => key.startsWith(a) && !/^[a-z]/.test(key.slice(a.length)));
  if (acronym) return acronym.toLowerCase() + key.slice(acronym.length);
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** The CRD form of an entry, and for each of its paths the path in the file. */
interface Converted {
  readonly object: Obj;
  readonly origin: Map<string, FieldPath>;
  /** Paths the CRD form has twice for one field of the file (an intention's Name). */
  readonly copies: FieldPath[];
}

function convertValue(
  v: unknown,
  crd: FieldPath,
  raw: FieldPath,
  origin: Map<string, FieldPath>,
  field?: string,
): unknown {
  origin.set(JSON.stringify(crd), raw);
  if (Array.isArray(v)) return v.map((x, i) => convertValue(x, [...crd, i], [...raw, i], origin));
  if (v === null || typeof v !== 'object') return v;
  if (field !== undefined && OPAQUE.has(field)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) {
      // ProxyDefaults and ServiceDefaults `Config` is decoded by mapstructure, whose field match
      // is case-insensitive (agent/xds/config.go ParseProxyConfig): `Protocol` is `protocol`.
      const name = field === 'config' && k.toLowerCase() === 'protocol' ? 'protocol' : k;
      out[name] = x;
      origin.set(JSON.stringify([...crd, name]), [...raw, k]);
    }
    return out;
  }
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    const name = field !== undefined && FREE_KEYS.has(field) ? k : crdFieldName(k);
    const value = LISTS.has(name) && x !== null && typeof x === 'object' && !Array.isArray(x) ? [x] : x;
    const rawPath = [...raw, k];
    if (value !== x) origin.set(JSON.stringify([...crd, name, 0]), rawPath);
    out[name] =
      value === x
        ? convertValue(x, [...crd, name], rawPath, origin, name)
        : [convertValue(x, [...crd, name, 0], rawPath, origin, name)];
    if (value !== x) origin.set(JSON.stringify([...crd, name]), rawPath);
  }
  return out;
}

/** The entry's own top-level fields, case-insensitive as Consul takes them. */
function top(entry: Obj, name: string): [string, unknown] | undefined {
  const k = Object.keys(entry).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : [k, entry[k]];
}

const HEAD = ['kind', 'name', 'namespace', 'partition', 'meta', 'createindex', 'modifyindex', 'hash'];

/** A raw entry -> its CRD form, or undefined when it is not a Consul config entry. */
export function convertEntry(entry: unknown, defaultNamespace: string): Converted | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const e = entry as Obj;
  const kindField = top(e, 'kind');
  const kind = typeof kindField?.[1] === 'string' ? KINDS[kindField[1].toLowerCase()] : undefined;
  if (!kind || !kindField) return undefined;
  const origin = new Map<string, FieldPath>();
  const copies: FieldPath[] = [];
  const nameField = top(e, 'name');
  const name = typeof nameField?.[1] === 'string' ? nameField[1] : FIXED_NAME[kind];
  if (name === undefined) return undefined;
  const metadata: Obj = { name };
  origin.set(JSON.stringify(['metadata', 'name']), nameField ? [nameField[0]] : [kindField[0]]);
  // Without a Name (the mesh entry) metadata.name stands for the Kind: it was not in the file.
  if (!nameField) copies.push(['metadata', 'name']);
  const ns = top(e, 'namespace');
  metadata.namespace = typeof ns?.[1] === 'string' && ns[1] !== '' ? ns[1] : defaultNamespace;
  if (ns) origin.set(JSON.stringify(['metadata', 'namespace']), [ns[0]]);
  else copies.push(['metadata', 'namespace']);
  const partition = top(e, 'partition');
  if (partition) {
    metadata.partition = partition[1];
    origin.set(JSON.stringify(['metadata', 'partition']), [partition[0]]);
  }
  const meta = top(e, 'meta');
  if (meta?.[1] && typeof meta[1] === 'object') {
    const m = { ...(meta[1] as Record<string, unknown>) };
    const labels: Obj = {};
    const annotations: Obj = {};
    // anymesh's own output (config-entry.ts) names its source policies in Meta.
    // A long list is written as its count (config-entry.ts), which the count annotation carries.
    const sourceKey = typeof m['source-policies'] === 'string' ? 'source-policies' : 'source-policy-count';
    if (m['managed-by'] === MANAGED_BY_VALUE && typeof m[sourceKey] === 'string') {
      const annotation = sourceKey === 'source-policies' ? SOURCE_ANNOTATION : SOURCE_COUNT_ANNOTATION;
      labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
      annotations[annotation] = m[sourceKey];
      origin.set(JSON.stringify(['metadata', 'labels', MANAGED_BY_LABEL]), [meta[0], 'managed-by']);
      origin.set(JSON.stringify(['metadata', 'annotations', annotation]), [meta[0], sourceKey]);
      delete m['managed-by'];
      delete m[sourceKey];
    }
    for (const [k, v] of Object.entries(m)) {
      annotations[k] = v;
      origin.set(JSON.stringify(['metadata', 'annotations', k]), [meta[0], k]);
    }
    if (Object.keys(labels).length) metadata.labels = labels;
    metadata.annotations = annotations;
    origin.set(JSON.stringify(['metadata', 'annotations']), [meta[0]]);
  }
  const status: Obj = {};
  for (const f of ['createindex', 'modifyindex', 'hash']) {
    const s = top(e, f);
    if (!s) continue;
    const k = crdFieldName(s[0]);
    status[k] = s[1];
    origin.set(JSON.stringify(['status', k]), [s[0]]);
  }
  const body: Obj = {};
  for (const [k, v] of Object.entries(e)) if (!HEAD.includes(k.toLowerCase())) body[k] = v;
  const spec = convertValue(body, ['spec'], [], origin) as Obj;
  if (kind === 'ServiceIntentions') {
    // The CRD names the destination in spec.destination; the entry by its Name (and Namespace).
    spec.destination = {
      name,
      ...(ns && typeof ns[1] === 'string' && ns[1] !== '' ? { namespace: ns[1] } : {}),
    };
    origin.set(JSON.stringify(['spec', 'destination']), [nameField?.[0] ?? kindField[0]]);
    origin.set(JSON.stringify(['spec', 'destination', 'name']), [nameField?.[0] ?? kindField[0]]);
    copies.push(['spec', 'destination', 'name']);
    if (ns && ns[1] !== '') {
      origin.set(JSON.stringify(['spec', 'destination', 'namespace']), [ns[0]]);
      copies.push(['spec', 'destination', 'namespace']);
    }
  }
  const object: Obj = {
    apiVersion: API_VERSION,
    kind,
    metadata,
    spec,
    ...(Object.keys(status).length ? { status } : {}),
  };
  return { object, origin, copies };
}

/** The path in the file of a path into the CRD form: the longest mapped prefix, the rest as is. */
function rawPath(origin: Map<string, FieldPath>, path: FieldPath): FieldPath {
  for (let i = path.length; i >= 0; i--) {
    const raw = origin.get(JSON.stringify(path.slice(0, i)));
    if (raw) return [...raw, ...path.slice(i)];
  }
  return [];
}

/** A field path as the file writes it: `Routes[0].Destination.PrefixRewrite`. */
function formatRaw(path: FieldPath): string {
  return path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)
          ? `${i ? '.' : ''}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

/**
 * The entries of one document: an entry, a list of entries, or an agent configuration's
 * `config_entries.bootstrap` list; undefined when the document is none of them.
 */
function entriesOf(value: unknown): { entry: unknown; at: FieldPath }[] | undefined {
  if (Array.isArray(value)) {
    const all = value.map((entry, i) => ({ entry, at: [i] as FieldPath }));
    return all.length && all.every((x) => convertEntry(x.entry, 'x')) ? all : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const keys = Object.keys(value as Obj);
  if (keys.includes('config_entries')) {
    const ce = (value as Obj).config_entries;
    const list = (Array.isArray(ce) ? ce : [ce]).flatMap((c, i) => {
      const prefix: FieldPath = Array.isArray(ce) ? ['config_entries', i] : ['config_entries'];
      const b = (c as Obj | null)?.bootstrap;
      if (b === undefined) return [];
      return (Array.isArray(b) ? b : [b]).map((entry, j) => ({
        entry,
        at: [...prefix, 'bootstrap', ...(Array.isArray(b) ? [j] : [])] as FieldPath,
      }));
    });
    return list.length && list.every((x) => convertEntry(x.entry, 'x')) ? list : undefined;
  }
  return convertEntry(value, 'x') ? [{ entry: value, at: [] }] : undefined;
}

/** Native objects (CRD form) of a document holding raw config entries. */
function nativeEntries(
  doc: Pick<LoadedDocument, 'file' | 'index' | 'value'>,
  locate: (path: FieldPath) => SourceLocation,
  defaultNamespace: string,
): NativeObject[] | undefined {
  const entries = entriesOf(doc.value);
  if (!entries) return undefined;
  const agent = agentSettings(doc, locate);
  return [
    ...agent,
    ...entries.map(({ entry, at }): NativeObject => {
      const c = convertEntry(entry, defaultNamespace)!;
      const object = c.object as unknown as NativeObject['object'];
      const where = (path: FieldPath) => [...at, ...rawPath(c.origin, path)];
      return {
        object,
        ref: `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`,
        namespace: object.metadata.namespace!,
        file: doc.file,
        index: doc.index,
        locate: (path) => locate(where(path)),
        nativePath: (path) => formatRaw(where(path)),
        copies: c.copies,
      };
    }),
  ];
}

/** The kind that stands for an agent configuration's own settings (listed as not imported). */
export const AGENT_SETTINGS = 'AgentConfiguration';

/**
 * An agent configuration's settings besides its `config_entries` (datacenter, ports, ACLs):
 * one object, listed as not imported, so they are named rather than passed over.
 */
function agentSettings(
  doc: Pick<LoadedDocument, 'file' | 'index' | 'value'>,
  locate: (path: FieldPath) => SourceLocation,
): NativeObject[] {
  const v = doc.value as Obj;
  if (Array.isArray(v) || !('config_entries' in v) || Object.keys(v).length === 1) return [];
  const { config_entries: _entries, ...settings } = v;
  const first = Object.keys(settings)[0]!;
  return [
    {
      object: {
        apiVersion: API_VERSION,
        kind: AGENT_SETTINGS,
        metadata: { name: 'agent' },
        ...settings,
      } as unknown as NativeObject['object'],
      ref: `${AGENT_SETTINGS}/-/agent`,
      namespace: '-',
      file: doc.file,
      index: doc.index,
      locate: (path) => locate(path.length ? path : [first]),
    },
  ];
}

/** HCL text: by the file's extension, or by its first item (`Key =` or `key {`, never YAML's `key:`). */
const HCL_FILE = /\.hcl$/i;
const HCL_START = /^(?:\s|#[^\n]*\n|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*"?[A-Za-z_][\w.-]*"?\s*(?:=|\{)/;

/**
 * An HCL file: one entry (what `consul config write` takes), or several each opened by a
 * `# --- <kind> <name>` line (how `anymesh compile --consul-format config-entry` prints them):
 * each chunk is a document of its own, its positions those of the file.
 */
function parseHclInput(file: string, text: string): LoadResult {
  const lines = text.split('\n');
  const starts = lines.flatMap((l, i) => (l.startsWith('# --- ') ? [i] : []));
  if (!starts.length || starts[0] !== 0) starts.unshift(0);
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  starts.forEach((first, index) => {
    const chunk = lines.slice(first, starts[index + 1] ?? lines.length).join('\n');
    const r = parseHcl(chunk);
    const shift = (at: { line: number; col: number }) => ({ file, line: at.line + first, col: at.col });
    if (!r.ok) {
      diagnostics.push(
        makeDiagnostic(consulMessages.ImportHclSyntax, { reason: r.reason }, { location: shift(r.at) }),
      );
      return;
    }
    if (!Object.keys(r.value).length) return; // comments only
    const positions = { locate: (_doc: number, path: FieldPath) => shift(locateIn(r.positions, path)) };
    documents.push({ file, index: documents.length, value: r.value, positions });
  });
  return { documents, diagnostics };
}

/** How the Consul importer reads `consul config write` files besides the consul-k8s YAML. */
export const CONSUL_ENTRY_FORMAT: NativeFormat = {
  extensions: /\.(json|hcl)$/i,
  parse(input) {
    // Binary and over-large inputs are the YAML loader's to refuse, with its diagnostics.
    const decoded = typeof input.text === 'string' ? input.text : decodeInput(input.text)?.text;
    if (decoded === undefined || decoded.includes('\u0000')) return undefined;
    if (!HCL_FILE.test(input.name) && !HCL_START.test(decoded)) return undefined;
    return parseHclInput(input.name, decoded);
  },
  objects: nativeEntries,
};
