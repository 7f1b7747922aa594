/**
 * The mesh registry: every mesh anymesh knows. Adding a mesh is one folder under src/adapters
 * (its descriptor in index.ts) and one line in MESHES; every mesh list of the CLI, the cluster code
 * and the docs is derived from here, and the registry tests then demand its full capability
 * column, golden cases and conformance.
 */
import type { MeshAdapter } from '../core/adapter.js';
import type { MessageType } from '../core/diagnostics.js';
import { CORE_MESSAGES } from '../core/diagnostics.js';
import type { CatalogueSection } from '../core/diagnostics-report.js';
import type { ImportSource } from '../core/import.js';
import { registerMeshIds } from '../core/mesh-ids.js';
import { appmeshAdapter } from './appmesh/index.js';
import { consulAdapter } from './consul/index.js';
import { istioAdapter } from './istio/index.js';
import { nativeShapeOf } from './kit/native-shapes.js';
import { SMI_IMPORT_MESSAGES, smiImportSource } from './kit/smi-import.js';
import { linkerdAdapter } from './linkerd/index.js';

/** In the order the CLI, `status` and the docs list them. */
export const MESHES: readonly MeshAdapter[] = [istioAdapter, linkerdAdapter, consulAdapter, appmeshAdapter];

registerMeshIds(MESHES.map((m) => m.id));

/** Mesh ids, in registry order. */
export const MESH_IDS: readonly string[] = MESHES.map((m) => m.id);

export const ADAPTERS: Readonly<Record<string, MeshAdapter>> = Object.fromEntries(
  MESHES.map((m) => [m.id, m]),
);

export function adapterFor(id: string): MeshAdapter | undefined {
  return MESHES.find((m) => m.id === id);
}

/**
 * Where `anymesh import --from` and `migrate plan --from` read native configuration: every mesh
 * whose descriptor imports, then SMI, which is a source only (no mesh compiles to it; it lives in
 * kit/smi-import.ts so the folders under src/adapters stay exactly the registered meshes).
 */
export const IMPORT_SOURCES: readonly ImportSource[] = [
  ...MESHES.flatMap((m) =>
    m.import
      ? [
          {
            id: m.id,
            displayName: m.displayName,
            ...(m.importKinds ? { kinds: m.importKinds } : {}),
            ...(m.importFormat ? { format: m.importFormat } : {}),
            shapeOf: nativeShapeOf,
            import: m.import.bind(m),
          } satisfies ImportSource,
        ]
      : [],
  ),
  smiImportSource,
];

export function importSourceFor(id: string): ImportSource | undefined {
  return IMPORT_SOURCES.find((s) => s.id === id);
}

/** Catalogue sections of import-only sources, for docs/diagnostics.md. */
export const IMPORT_ONLY_SECTIONS: readonly CatalogueSection[] = [
  {
    title: `${smiImportSource.displayName} import`,
    range: 'AM49',
    messages: Object.values(SMI_IMPORT_MESSAGES),
  },
];

/** The whole diagnostic catalogue: core messages, every adapter's own, and the SMI importer's. */
export function allMessages(): MessageType[] {
  return [
    ...Object.values(CORE_MESSAGES),
    ...MESHES.flatMap((a) => Object.values(a.messages)),
    ...Object.values(SMI_IMPORT_MESSAGES),
  ];
}
