/**
 * gRPC and TCP routes of a VirtualRouter (appmesh.k8s.aws/v1beta2, controller v1.13.3 CRD):
 * - `grpcRoute.match {serviceName, methodName, metadata[] {name, match}}`, with the same action,
 *   timeout (perRequest) and retryPolicy as an httpRoute; methodName needs serviceName (AWS API
 *   reference GrpcRouteMatch), so a method alone is refused (AM4440); gRPC metadata are HTTP/2
 *   headers, matched as httpRoute headers are; a rule matching every call matches the port.
 * - `tcpRoute {action.weightedTargets, timeout.idle}`: no match but the port, so one route per
 *   policy (a TCP rule has no matches; only the first is ever reached, and AM3012 says so).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_GrpcRoute.html,
 * https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_TcpRoute.html
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldPath } from '../../core/loader/positions.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { RouteMatchT } from '../../core/model/schema.js';
import { headerMatch } from './matches.js';
import { APPMESH_MESSAGES } from './messages.js';
import type { Obj } from './plan.js';

/** A model match entry of a gRPC policy -> grpcRoute.match. */
export function grpcMatch(
  m: RouteMatchT | undefined,
  doc: PolicyDoc,
  at: FieldPath,
  diagnostics: Diagnostic[],
  port: number,
): Obj {
  const out: Obj = {};
  const g = m?.grpc;
  if (g?.method !== undefined && g.service === undefined) {
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.GrpcMethodNeedsService,
        { method: g.method },
        doc.at([...at, 'grpc', 'method']),
      ),
    );
  }
  if (g?.service !== undefined) out.serviceName = g.service;
  if (g?.method !== undefined && g.service !== undefined) out.methodName = g.method;
  if (m?.headers?.length)
    out.metadata = m.headers.map((h) => ({ name: h.name.toLowerCase(), match: headerMatch(h) }));
  // A match needs at least one criterion (AWS CDK GrpcRouteMatch: "At least one match type must be
  // selected"); the router listens on spec.port only, so the port matches every call.
  if (!Object.keys(out).length) out.port = port;
  return out;
}
