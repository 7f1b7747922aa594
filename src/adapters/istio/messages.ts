/**
 * Istio's own diagnostics (AM41xx), all about the ambient data plane so far (`istio.dataplane=
 * ambient`); the sidecar output reports only core codes. Tests assert the codes, never the wording.
 */
import {
  type Diagnostic,
  type DiagnosticContext,
  type DiagnosticParams,
  type MessageType,
  makeDiagnostic,
  message,
} from '../../core/diagnostics.js';

const m = message;

export const ISTIO_MESSAGES = {
  PortRequired: m(
    'AM4101',
    'error',
    'IstioAmbientPortRequired',
    '{what} needs a port and spec.port is not set: {why}. Set spec.port to the Service port clients call',
  ),
  LeafServices: m(
    'AM4102',
    'info',
    'IstioAmbientLeafServices',
    'versions of {service} become Services {leaves}, each selecting {selector} (from {origin}) plus its version labels, on port {port} with targetPort {port} (HTTPRoute has no subsets); if Service {service} maps port {port} to another container port, edit the leaf Services or set spec.port to match',
  ),
  RuleOrder: m(
    'AM4103',
    'error',
    'IstioAmbientRuleOrder',
    'rule {later} comes after rule {earlier}, but Istio orders the routes of a waypoint HTTPRoute by Gateway API precedence (exact path, longest prefix, regular expression, then method, most headers, most query parameters), not by rule order, so requests matching both would take rule {later}; put rule {later} first, or make the matches disjoint',
  ),
  RuleTie: m(
    'AM4104',
    'error',
    'IstioAmbientRuleTie',
    'rules {earlier} and {later} match the same requests equally specifically but are in different HTTPRoutes, which Istio orders by creation time; put them in one policy or make one more specific',
  ),
  TooManyRules: m(
    'AM4105',
    'error',
    'IstioAmbientTooManyRules',
    '{what} has {count} rules; an HTTPRoute holds at most {limit} (Gateway API). Split the policy into several, each scoped or matched apart',
  ),
  WaypointBinding: m(
    'AM4106',
    'info',
    'IstioAmbientWaypoint',
    'Services {services} in namespace {namespace} are bound to waypoint {waypoint} by the label istio.io/use-waypoint{emitted}; the binding is a Service object holding that label alone, so server-side apply makes anymesh own only the label (the Service must already exist, and delete leaves the label in place)',
  ),
  CorsOrigin: m(
    'AM4107',
    'error',
    'IstioAmbientCorsOrigin',
    'CORS origin {origin} is not scheme://host[:port] without wildcards (http or https): the Gateway API CORS filter accepts no other form, and a * there is a wildcard, wider than an exact origin. Write the origin that way, or compile with istio.dataplane=sidecar',
  ),
  PerTryTimeout: m(
    'AM4108',
    'error',
    'IstioAmbientPerTryTimeout',
    'perTryTimeout {perTry} is longer than the rule timeout {timeout}: Gateway API refuses timeouts.backendRequest longer than timeouts.request. Shorten perTryTimeout or lengthen timeout',
  ),
  Duration: m(
    'AM4109',
    'error',
    'IstioAmbientDuration',
    '{what} {value} does not fit the Gateway API duration format (at most 5 digits per unit, h, m, s, ms); use a shorter duration',
  ),
  WaypointGuard: m(
    'AM4110',
    'info',
    'IstioAmbientWaypointGuard',
    'access to {service} is enforced by waypoint {waypoint} (targetRefs), because {why}; AuthorizationPolicy {guard} lets only the waypoint identity {principal} reach its pods directly, so callers cannot go around the waypoint',
  ),
  NameTooLong: m(
    'AM4111',
    'error',
    'IstioAmbientNameTooLong',
    '{what} {name} is longer than {limit} characters; shorten the {field}',
  ),
  NamespaceMode: m(
    'AM4112',
    'error',
    'IstioNamespaceMode',
    'namespace {namespace} is {mode} ({label}) but the output is for the {dataplane} data plane: {why}. Compile with --option istio.dataplane={mode}, relabel the namespace, or pass --option istio.anyNamespaceMode=true to apply it anyway',
  ),
} satisfies Record<string, MessageType>;

export type IstioMessage = keyof typeof ISTIO_MESSAGES;

export function istioDiag(
  name: IstioMessage,
  params: DiagnosticParams,
  ctx: DiagnosticContext = {},
): Diagnostic {
  return makeDiagnostic(ISTIO_MESSAGES[name], params, ctx);
}
