/**
 * gRPC matches as VirtualService URI matches. A gRPC call is an HTTP/2 POST to
 * `/<service>/<method>`; Istio converts GRPCRoute method matches the same way
 * (istio/istio pilot/pkg/config/kube/gateway/conversion.go `createGRPCURIMatch`, 86c9f01):
 * service and method -> exact `/<service>/<method>`, service alone -> prefix `/<service>/`,
 * method alone -> regex `/[^/]+/<method>`.
 */
import type { GrpcMatchT } from '../../core/model/schema.js';

export function grpcUri(g: GrpcMatchT): Record<string, string> {
  if (g.service !== undefined && g.method !== undefined) return { exact: `/${g.service}/${g.method}` };
  if (g.service !== undefined) return { prefix: `/${g.service}/` };
  // A method name is letters, digits and _ (checked by the model), so it needs no escaping.
  return { regex: `/[^/]+/${g.method}` };
}
