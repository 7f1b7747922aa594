/**
 * Writes src/adapters/kit/native-shapes.json: the field types of every kind `anymesh import`
 * reads, digested from the meshes' official CRDs (the openAPIV3Schema of each served version;
 * types only, no descriptions, enums, patterns or CEL rules). The importers check native files
 * against it before reading them (src/core/native-shape.ts says why).
 *
 *   npm run build && node scripts/native-shapes.js      # after the CRDs in shared/crds change
 *
 * The CRDs are `ANYMESH_CRDS`, else `shared/crds` beside the checkout (shared/crds/README.md names
 * each upstream file and version). test/unit/core/native-shape.test.ts digests them again and
 * fails when the committed file is not what they give.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, loadAll } from 'js-yaml';

const ROOT = join(import.meta.dirname, '..');
export const SHAPES_FILE = join(ROOT, 'src', 'adapters', 'kit', 'native-shapes.json');

/**
 * Folders read, in order (the first file that defines a group/version/kind wins). Gateway API's
 * experimental channel is a superset of the standard one, so fields users take from it are typed
 * too; Linkerd's bundled older copy of it is not read.
 */
const FOLDERS = ['istio', 'linkerd', 'consul', 'appmesh', 'gateway-api/experimental', 'smi'];
const EXCLUDED = ['linkerd/gateway-api/'];

export function defaultCrdRoot(env = process.env) {
  return resolve(env.ANYMESH_CRDS ?? join(ROOT, '..', 'shared', 'crds'));
}

/** One openAPIV3Schema node as a NativeShape (src/core/native-shape.ts). */
function digest(s) {
  if (!s || typeof s !== 'object') return 'any';
  // `nullable` decides what the API server does with a null: keeps it, or drops it (a field) or
  // refuses it (a list item). Kept as a `?` after a scalar type, `nullable: true` on a structure.
  const nullable = s.nullable === true;
  const scalar = (t) => (nullable ? `${t}?` : t);
  const structure = (o) => (nullable ? { ...o, nullable: true } : o);
  if (s['x-kubernetes-int-or-string']) return scalar('int-or-string');
  // Unknown fields kept: anything, unless the schema still gives a type (`type: object`).
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.additionalProperties) {
    if (s.type === 'object') return structure({ anyObject: true });
    if (s.type === undefined) return 'any';
  }
  // A structural schema types every node; a node with properties and no type is an object.
  switch (s.type ?? (s.properties || s.additionalProperties ? 'object' : undefined)) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return scalar(s.type);
    case 'array':
      return structure({ list: digest(s.items) });
    case 'object':
      if (s.properties) {
        const fields = {};
        for (const k of Object.keys(s.properties).sort()) fields[k] = digest(s.properties[k]);
        // Unknown fields of an object the schema keeps open are kept by the API server.
        return structure(
          s['x-kubernetes-preserve-unknown-fields'] ? { object: fields, open: true } : { object: fields },
        );
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object')
        return structure({ map: digest(s.additionalProperties) });
      return structure({ anyObject: true });
    default:
      return 'any';
  }
}

function* yamlFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* yamlFiles(path);
    else if (e.name.endsWith('.yaml')) yield path;
  }
}

/**
 * The digest of the CRDs under `root` for the given kinds (`group/Kind`): shapes deduplicated (the
 * served versions of one kind are often the same schema), and an index `group/version/Kind` -> shape.
 */
export function digestCrds(root, kinds) {
  const wanted = new Set(kinds);
  const index = {};
  const sources = {};
  const shapes = [];
  const seen = new Map();
  for (const folder of FOLDERS) {
    for (const file of yamlFiles(join(root, folder))) {
      const rel = relative(root, file);
      if (EXCLUDED.some((x) => rel.startsWith(x))) continue;
      for (const doc of loadAll(readFileSync(file, 'utf8'), undefined, { schema: CORE_SCHEMA })) {
        if (doc?.kind !== 'CustomResourceDefinition') continue;
        const { group, names, versions } = doc.spec;
        if (!wanted.has(`${group}/${names.kind}`)) continue;
        for (const v of versions) {
          const key = `${group}/${v.name}/${names.kind}`;
          if (!v.served || key in index) continue;
          const spec = digest(v.schema?.openAPIV3Schema?.properties?.spec);
          const text = JSON.stringify(spec);
          if (!seen.has(text)) {
            seen.set(text, shapes.length);
            shapes.push(spec);
          }
          index[key] = seen.get(text);
          sources[key] = rel;
        }
      }
    }
  }
  const missing = [...wanted].filter((gk) => !Object.keys(index).some((k) => sameKind(k, gk)));
  return { index, sources, shapes, missing };
}

const sameKind = (key, gk) => {
  const parts = key.split('/');
  return `${parts[0]}/${parts[2]}` === gk;
};

/** Whether a `group/Kind` can be a CRD's: a CRD's group has a dot, Kubernetes' own (core, apps) none. */
export const crdKind = (gk) => gk.slice(0, gk.indexOf('/')).includes('.');

/** The file's text: stable (sorted keys come from the schemas' own sorted properties). */
export function shapesFileText(d) {
  return `${JSON.stringify({ index: d.index, sources: d.sources, shapes: d.shapes }, null, 1)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { IMPORT_SOURCES } = await import(join(ROOT, 'dist', 'adapters', 'index.js'));
  const kinds = IMPORT_SOURCES.flatMap((s) => (s.kinds ?? []).map((k) => `${k.group}/${k.kind}`)).filter(
    crdKind, // the core Service has no CRD (kit/native-shapes.ts types it), nor do Namespaces and workloads
  );
  const d = digestCrds(defaultCrdRoot(), kinds);
  writeFileSync(SHAPES_FILE, shapesFileText(d));
  console.log(
    `${relative(ROOT, SHAPES_FILE)}: ${Object.keys(d.index).length} kind versions, ${d.shapes.length} shapes` +
      (d.missing.length ? `; no CRD for ${d.missing.join(', ')}` : ''),
  );
}
