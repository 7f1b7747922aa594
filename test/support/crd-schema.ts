/**
 * Validates native output against the meshes' official CustomResourceDefinitions, the way
 * `kubectl apply --validate=strict` does: the CRD's openAPIV3Schema, with unknown fields as errors.
 * (CEL `x-kubernetes-validations` rules need a real API server: the integration tier runs them.)
 *
 * The CRD directory is `ANYMESH_CRDS`, else `shared/crds` beside the project checkout.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import type { KubeObject } from '../../src/core/adapter.js';

/**
 * CRD folders used by default. Gateway API comes from its own standard channel; the experimental
 * channel, Linkerd's bundled (older) copy of Gateway API and SMI define the same kinds again.
 */
const DEFAULT_CRD_FOLDERS = ['istio', 'linkerd', 'consul', 'appmesh', 'gateway-api/standard'];
const EXCLUDED = ['linkerd/gateway-api'];

function defaultCrdDirectory(): string {
  if (process.env.ANYMESH_CRDS) return resolve(process.env.ANYMESH_CRDS);
  // test/support -> project root -> its parent holds shared/
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(root, '..', 'shared', 'crds');
}

interface CrdDoc {
  kind: string;
  spec: {
    group: string;
    names: { kind: string; plural: string };
    scope: 'Namespaced' | 'Cluster';
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
  };
}

export interface CrdInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly file: string;
}

/** Makes an OpenAPI schema strict: objects with listed properties accept no others. */
function strictify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, strictify(pv)]));
    } else if (k.startsWith('x-kubernetes-')) {
      // Structural-schema markers are not JSON Schema; the ones that matter are handled below.
    } else out[k] = strictify(v);
  }
  if (s['x-kubernetes-int-or-string'] === true && !s.type && !s.anyOf) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (
    s.type === 'object' &&
    s.properties &&
    s.additionalProperties === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** Some CRDs list only spec and status at the root; every object also has these three. */
function withObjectRoot(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return {
    ...schema,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...properties,
    },
  };
}

export class CrdCatalog {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  private readonly schemas = new Map<
    string,
    { info: CrdInfo; schema: Record<string, unknown>; compiled?: ValidateFunction }
  >();

  constructor(
    readonly directory: string = defaultCrdDirectory(),
    folders: readonly string[] = DEFAULT_CRD_FOLDERS,
  ) {
    if (!existsSync(directory)) {
      throw new Error(
        `CRD directory ${directory} does not exist; set ANYMESH_CRDS to the folder of the meshes' CRDs`,
      );
    }
    for (const folder of folders) {
      for (const file of yamlFiles(join(directory, folder))) this.addFile(file);
    }
  }

  private addFile(file: string): void {
    for (const doc of loadAll(readFileSync(file, 'utf8'), undefined, { schema: CORE_SCHEMA }) as CrdDoc[]) {
      if (doc?.kind !== 'CustomResourceDefinition') continue;
      for (const v of doc.spec.versions) {
        if (!v.served || !v.schema?.openAPIV3Schema) continue;
        const key = `${doc.spec.group}/${v.name}/${doc.spec.names.kind}`;
        this.schemas.set(key, {
          info: {
            group: doc.spec.group,
            version: v.name,
            kind: doc.spec.names.kind,
            plural: doc.spec.names.plural,
            namespaced: doc.spec.scope === 'Namespaced',
            file,
          },
          schema: withObjectRoot(strictify(v.schema.openAPIV3Schema) as Record<string, unknown>),
        });
      }
    }
  }

  /** Every served group/version/kind. */
  kinds(): CrdInfo[] {
    return [...this.schemas.values()].map((s) => s.info);
  }

  info(apiVersion: string, kind: string): CrdInfo | undefined {
    return this.schemas.get(`${apiVersion}/${kind}`)?.info;
  }

  /** Problems with one object; empty when the CRD accepts it. */
  validate(obj: KubeObject): string[] {
    const entry = this.schemas.get(`${obj.apiVersion}/${obj.kind}`);
    const name = `${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    if (!entry) return [`${name}: no CRD serves ${obj.apiVersion} ${obj.kind}`];
    entry.compiled ??= this.ajv.compile(entry.schema);
    const problems: string[] = [];
    const { metadata, ...rest } = obj;
    if (
      !metadata?.name ||
      !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(metadata.name) ||
      metadata.name.length > 253
    ) {
      problems.push(`${name}: metadata.name ${JSON.stringify(metadata?.name)} is not a DNS-1123 subdomain`);
    }
    if (entry.info.namespaced && !metadata?.namespace)
      problems.push(`${name}: namespaced kind without metadata.namespace`);
    if (!entry.compiled({ ...rest, metadata: {} })) {
      for (const e of entry.compiled.errors ?? []) {
        const extra =
          e.keyword === 'additionalProperties'
            ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
            : '';
        problems.push(`${name}: ${e.instancePath || '/'} ${e.message}${extra}`);
      }
    }
    return problems;
  }
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (EXCLUDED.some((ex) => p.endsWith(ex))) continue;
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(entry)) out.push(p);
  }
  return out;
}
