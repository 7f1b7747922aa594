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

export const ISTIO_OPTIONS: readonly AdapterOption[] = [ROOT_NAMESPACE];

/** The namespace of mesh-wide objects. */
export function rootNamespace(ctx: CompileContext): string {
  return optionValue(ROOT_NAMESPACE, ctx)!;
}
