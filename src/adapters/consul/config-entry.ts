/**
 * consul-k8s CRDs -> Consul config entries, as `consul config write` and `PUT /v1/config` take them
 * (Consul on VMs or Nomad). The compile result stays the CRD form, so the rest of the pipeline
 * (validation, conformance, apply) is unchanged; this module only renders.
 *
 * Shape (hashicorp/consul@v1.16.3 website/content/docs/connect/config-entries/*.mdx, "Configuration
 * model"; agent/structs/config_entry*.go): `Kind` (kebab-case: service-router, ...), `Name` (not for
 * the singleton `mesh` entry, which has none), then the
 * CRD's spec fields with the first letter upper-cased (`routes` -> `Routes`, `pathPrefix` ->
 * `PathPrefix`), except the acronyms `HTTP`, `JWT` and `TTL` (CookieConfig.TTL). Keys of free-form maps (subset names, header
 * names in add/set, Meta) are kept as written. ServiceIntentions take their Name from
 * spec.destination.name. `Namespace` is written only for Consul Enterprise (consul.enterprise=true).
 * `Meta` carries the managed-by marker and the source policies (Consul meta keys allow no `.` or `/`,
 * so the Kubernetes label and annotation names cannot be reused; values are capped at 512 bytes).
 *
 * Output. `consul config write` and `PUT /v1/config` take ONE entry each. `-o json` gives a JSON
 * array (one valid document; write it with
 * `jq -c '.[]' entries.json | while read -r e; do printf '%s' "$e" | consul config write -; done`).
 * `-o yaml` gives HCL, Consul's own configuration language (Consul reads no YAML), one entry per
 * chunk, each chunk opened by a comment line `# --- <kind> <name>`; split them with
 * `awk '/^# --- /{n++} {print > ("entry-" n ".hcl")}'`. Entries are ordered so that each one's
 * prerequisites come first (Mesh before permissive ServiceDefaults, ServiceDefaults protocol http
 * before routers, resolvers before the subsets they define are used), so writing them in order
 * succeeds: Consul validates the whole discovery chain on every write.
 */
import type { KubeObject } from '../../core/adapter.js';
import { MANAGED_BY_VALUE, SOURCE_COUNT_ANNOTATION, sourcesOf } from '../../core/adapter.js';
import type { Obj } from './entries.js';

const KIND: Record<string, string> = {
  Mesh: 'mesh',
  ProxyDefaults: 'proxy-defaults',
  ServiceDefaults: 'service-defaults',
  ServiceResolver: 'service-resolver',
  ServiceSplitter: 'service-splitter',
  ServiceRouter: 'service-router',
  ServiceIntentions: 'service-intentions',
};

/** Write order: what an entry depends on comes before it. */
const ORDER = Object.keys(KIND);

const ACRONYMS: Record<string, string> = { http: 'HTTP', jwt: 'JWT', ttl: 'TTL' };

/** Fields whose value is a map with user keys (kept as written); their values are still converted. */
const FREE_FORM = new Set(['subsets', 'add', 'set', 'meta']);

function fieldName(key: string): string {
  return ACRONYMS[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (value === null || typeof value !== 'object') return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value as Obj)) {
    out[fieldName(k)] =
      FREE_FORM.has(k) && v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Obj).map(([mk, mv]) => [mk, convert(mv)]))
        : convert(v);
  }
  return out;
}

export function toConfigEntry(obj: KubeObject, enterprise: boolean): Obj {
  const kind = KIND[obj.kind];
  if (!kind) throw new Error(`internal: no config entry kind for ${obj.kind}`);
  const spec = (obj.spec ?? {}) as Obj;
  const name =
    obj.kind === 'ServiceIntentions' ? (spec.destination as { name: string }).name : obj.metadata.name;
  const body = { ...spec };
  if (obj.kind === 'ServiceIntentions') delete body.destination;
  const refs = sourcesOf(obj);
  const sources = refs.join(',');
  const count = obj.metadata.annotations?.[SOURCE_COUNT_ANNOTATION] ?? String(refs.length);
  const global = obj.kind === 'Mesh' || obj.kind === 'ProxyDefaults';
  return {
    Kind: kind,
    // The mesh entry is a singleton without a Name field: Consul 1.16.3 refuses one with
    // `invalid config key "Name"` (found by test/integration/consul-agent.test.ts; MeshConfigEntry in
    // agent/structs/config_entry_mesh.go has no Name, GetName returns the constant "mesh").
    ...(obj.kind === 'Mesh' ? {} : { Name: name }),
    ...(enterprise && !global && obj.metadata.namespace ? { Namespace: obj.metadata.namespace } : {}),
    Meta: {
      'managed-by': MANAGED_BY_VALUE,
      // Consul refuses a Meta value over 512 characters (agent/structs/config_entry.go
      // validateConfigEntryMeta, metaValueMaxLength): a longer list is written as its count, as
      // sourceAnnotation does for Kubernetes' annotation limit.
      ...(sources.length > 512 ? { 'source-policy-count': count } : { 'source-policies': sources }),
    },
    ...(convert(body) as Obj),
  };
}

export function configEntries(resources: readonly KubeObject[], enterprise: boolean): Obj[] {
  const sorted = [...resources].sort(
    (a, b) =>
      ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) ||
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  return sorted.map((r) => toConfigEntry(r, enterprise));
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Consul parses HCL 1 (hashicorp/hcl v1), whose string escapes (\\ \" \n \t \uXXXX) are JSON's. */
function hclString(s: string): string {
  return JSON.stringify(s);
}

function hclValue(v: unknown, indent: string): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    const inner = `${indent}  `;
    return `[\n${v.map((x) => `${inner}${hclValue(x, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Obj);
  if (!entries.length) return '{}';
  const inner = `${indent}  `;
  return `{\n${entries.map(([k, x]) => `${inner}${IDENT.test(k) ? k : hclString(k)} = ${hclValue(x, inner)}`).join('\n')}\n${indent}}`;
}

/** One entry as HCL attributes (`Key = value`), the form of Consul's documentation examples. */
export function toHcl(entry: Obj): string {
  return `${Object.entries(entry)
    .map(([k, v]) => `${k} = ${hclValue(v, '')}`)
    .join('\n')}\n`;
}

export function renderConfigEntries(
  resources: readonly KubeObject[],
  enterprise: boolean,
  format: 'yaml' | 'json',
): string {
  const entries = configEntries(resources, enterprise);
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  return entries.map((e) => `# --- ${e.Kind} ${e.Name ?? e.Kind}\n${toHcl(e)}`).join('\n');
}
