/** The Istio adapter's options (`--option key=value`). */
import type { CompileContext } from '../../core/adapter.js';
import type { AdapterOption } from '../../core/adapter-options.js';
import { optionValue } from '../../core/adapter-options.js';

export const ROOT_NAMESPACE: AdapterOption = {
  key: 'istio.rootNamespace',
  type: 'string',
  default: 'istio-system',
  description: "Istio's root namespace, where a mesh-wide PeerAuthentication goes. Default: istio-system.",
};

export const DATAPLANE: AdapterOption = {
  key: 'istio.dataplane',
  type: 'enum',
  values: ['sidecar', 'ambient'],
  default: 'sidecar',
  description:
    'The data plane the output is for: sidecar (VirtualService, DestinationRule, AuthorizationPolicy by selector) or ambient (ztunnel for L4, waypoint proxies for L7: Gateway API HTTPRoutes, a waypoint Gateway, AuthorizationPolicy by targetRefs for L7 rules). Default: sidecar.',
};

export const WAYPOINT: AdapterOption = {
  key: 'istio.waypoint',
  type: 'string',
  description:
    'With istio.dataplane=ambient: the name of an existing waypoint Gateway in each namespace that needs L7 (anymesh then emits none and binds services to this one). Default: anymesh emits a waypoint named waypoint.',
};

export const ANY_NAMESPACE_MODE: AdapterOption = {
  key: 'istio.anyNamespaceMode',
  type: 'boolean',
  default: 'false',
  description:
    'apply and diff refuse sidecar output into a namespace labelled istio.io/dataplane-mode=ambient, and ambient output into a sidecar-injected one (istio-injection=enabled or istio.io/rev); true applies it anyway (e.g. while migrating). Default: false.',
};

export const ISTIO_OPTIONS: readonly AdapterOption[] = [
  ROOT_NAMESPACE,
  DATAPLANE,
  WAYPOINT,
  ANY_NAMESPACE_MODE,
];

/** The namespace of mesh-wide objects. */
export function rootNamespace(ctx: CompileContext): string {
  return optionValue(ROOT_NAMESPACE, ctx)!;
}

/** Whether the output is for the ambient data plane. */
export function isAmbient(ctx: Pick<CompileContext, 'options'>): boolean {
  return optionValue(DATAPLANE, ctx) === 'ambient';
}

/** The waypoint services are bound to, and whether anymesh emits it (no: the user named one). */
export function waypointOf(ctx: CompileContext): { name: string; emitted: boolean } {
  const given = optionValue(WAYPOINT, ctx);
  return given !== undefined && given !== ''
    ? { name: given, emitted: false }
    : { name: 'waypoint', emitted: true };
}
