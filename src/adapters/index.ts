/**
 * The adapter registry: every mesh anymesh compiles to. Adding a mesh is one folder under
 * src/adapters and one line here; the registry tests then demand its full capability column,
 * golden cases and conformance.
 */
import type { MeshAdapter } from '../core/adapter.js';
import type { MessageType } from '../core/diagnostics.js';
import { CORE_MESSAGES } from '../core/diagnostics.js';
import { MESH_IDS, type MeshId } from '../core/model/schema.js';
import { appmeshAdapter } from './appmesh/index.js';
import { consulAdapter } from './consul/index.js';
import { istioAdapter } from './istio/index.js';
import { linkerdAdapter } from './linkerd/index.js';

export const ADAPTERS: Readonly<Record<MeshId, MeshAdapter>> = {
  istio: istioAdapter,
  linkerd: linkerdAdapter,
  consul: consulAdapter,
  appmesh: appmeshAdapter,
};

export function adapterFor(id: string): MeshAdapter | undefined {
  return (MESH_IDS as readonly string[]).includes(id) ? ADAPTERS[id as MeshId] : undefined;
}

/** The whole diagnostic catalogue: core messages and every adapter's own. */
export function allMessages(): MessageType[] {
  return [
    ...Object.values(CORE_MESSAGES),
    ...Object.values(ADAPTERS).flatMap((a) => Object.values(a.messages)),
  ];
}
