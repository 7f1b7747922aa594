/**
 * The defaults a kube-apiserver writes into a Gateway API object when it stores it: structural
 * defaulting from the CRD's openAPIV3Schema (a missing property whose schema has `default` gets
 * it, recursively through properties, additionalProperties and array items), as
 * k8s.io/apiextensions-apiserver's structural defaulting does. Istio's fake Kubernetes client stores
 * objects as given, and Istio's code relies on these defaults (a HTTPRoute match without `path` is
 * `PathPrefix /` once stored), so the ambient world applies them from the same experimental-channel
 * CRDs the conformance and integration tiers use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from '../../support/cases.js';

type Schema = {
  default?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
};

interface Crd {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[];
  };
}

const GATEWAY_API = 'gateway-api/experimental';

let schemas: Map<string, Schema> | undefined;
const bundles = new Map<string, string>();

function catalogue(): Map<string, Schema> {
  if (schemas) return schemas;
  const base = process.env.ANYMESH_CRDS
    ? resolve(process.env.ANYMESH_CRDS)
    : resolve(ROOT, '..', 'shared', 'crds');
  const dir = join(base, GATEWAY_API);
  if (!existsSync(dir)) throw new Error(`no Gateway API CRDs in ${dir} (set ANYMESH_CRDS)`);
  schemas = new Map();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    for (const doc of loadAll(readFileSync(join(dir, f), 'utf8')) as Crd[]) {
      if (!doc?.spec?.versions) continue;
      const bundle = doc.metadata?.annotations?.['gateway.networking.k8s.io/bundle-version'];
      if (doc.metadata?.name && bundle) bundles.set(doc.metadata.name, bundle);
      for (const v of doc.spec.versions) {
        const s = v.schema?.openAPIV3Schema;
        if (s) schemas.set(`${doc.spec.group}/${v.name}/${doc.spec.names.kind}`, s);
      }
    }
  }
  return schemas;
}

function defaulted(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((x) => defaulted(x, schema.items!)) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = structuredClone(sub.default);
    if (out[k] !== undefined) out[k] = defaulted(out[k], sub);
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') {
    for (const k of Object.keys(out))
      if (!(k in (schema.properties ?? {}))) out[k] = defaulted(out[k], extra);
  }
  return out;
}

/** The object as the API server stores it, for Gateway API kinds; others unchanged. */
export function withCrdDefaults<T extends { apiVersion: string; kind: string }>(obj: T): T {
  if (!obj.apiVersion.startsWith('gateway.networking.k8s.io/')) return obj;
  const schema = catalogue().get(`${obj.apiVersion}/${obj.kind}`);
  if (!schema) throw new Error(`no CRD schema for ${obj.apiVersion} ${obj.kind} in ${GATEWAY_API}`);
  return defaulted(obj, schema) as T;
}

/**
 * The Gateway API CRDs' bundle-version annotations (CRD name -> version), as the CRDs installed in
 * the cluster carry them: istiod watches some kinds (GRPCRoute, TCPRoute, ...) only when it meets its
 * minimum (the driver puts them on its fake cluster's CRDs, driver_test.go annotateGatewayCRDs).
 */
export function gatewayApiBundleVersions(): Record<string, string> {
  catalogue();
  return Object.fromEntries(bundles);
}
