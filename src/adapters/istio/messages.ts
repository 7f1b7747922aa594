/**
 * Istio's own diagnostics (AM41xx): the ambient data plane (`istio.dataplane=ambient`), DENY
 * rules that Istio would widen to TCP traffic, and the importer (`anymesh import --from istio`).
 * Tests assert the codes, never the wording.
 */
import {
  type Diagnostic,
  type DiagnosticContext,
  type DiagnosticParams,
  type MessageArgs,
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
    {
      description:
        'In ambient mode a route goes to Services (a version becomes a leaf Service) and Istio answers 404 to a waypoint rule without backendRefs, so every backend is a Service backendRef, and Gateway API requires a port on one.',
      fix: 'Set spec.port to the Service port clients call (or backends[].port for another service).',
      example:
        'a TrafficPolicy with versions and no spec.port, compiled with --option istio.dataplane=ambient',
    },
  ),
  LeafServices: m(
    'AM4102',
    'info',
    'IstioAmbientLeafServices',
    'versions of {service} become Services {leaves}, each selecting {selector} (from {origin}) plus its version labels, on port {port} with targetPort {port} (HTTPRoute has no subsets); if Service {service} maps port {port} to another container port, edit the leaf Services or set spec.port to match',
    {
      description:
        'HTTPRoute has no subsets, so in ambient mode each version becomes a leaf Service selecting its pods; anymesh assumes the leaf forwards spec.port to the same container port.',
      fix: 'Nothing when the port maps to itself; otherwise edit the leaf Services or set spec.port to match.',
      example: 'a TrafficPolicy for reviews with versions v1 and v2 on port 9080, compiled for ambient',
    },
  ),
  RuleOrder: m(
    'AM4103',
    'error',
    'IstioAmbientRuleOrder',
    'rule {later} comes after rule {earlier}, but Istio orders the routes of a waypoint HTTPRoute by Gateway API precedence (exact path, longest prefix, regular expression, then method, most headers, most query parameters), not by rule order, so requests matching both would take rule {later}; put rule {later} first, or make the matches disjoint',
    {
      description:
        'Istio sorts the routes of a waypoint HTTPRoute by Gateway API precedence (Exact > PathPrefix > RegularExpression, then length, method, headers, query parameters), so a later, more specific rule would win over an earlier one.',
      fix: 'Put the more specific rule first, or make the matches disjoint.',
      example: 'a rule with a regex path followed by a catch-all rule',
    },
  ),
  RuleTie: m(
    'AM4104',
    'error',
    'IstioAmbientRuleTie',
    'rules {earlier} and {later} match the same requests equally specifically but are in different HTTPRoutes, which Istio orders by creation time; put them in one policy or make one more specific',
    {
      description:
        "Equally specific rules in different HTTPRoutes are ordered by route creation time, not by the policy's order.",
      fix: 'Put the rules in one policy, or make one more specific.',
      example: 'two policies for one service whose rules match the same requests',
    },
  ),
  TooManyRules: m(
    'AM4105',
    'error',
    'IstioAmbientTooManyRules',
    '{what} has {count} rules; an HTTPRoute holds at most {limit} (Gateway API). Split the policy into several, each scoped or matched apart',
    {
      description:
        'An HTTPRoute holds at most 16 rules (Gateway API), and anymesh emits one HTTPRoute per policy in ambient mode.',
      fix: 'Split the policy into several.',
      example: 'a TrafficPolicy with 17 rules, compiled for ambient',
    },
  ),
  WaypointBinding: m(
    'AM4106',
    'info',
    'IstioAmbientWaypoint',
    'Services {services} in namespace {namespace} are bound to waypoint {waypoint} by the label istio.io/use-waypoint{emitted}; the binding is a Service object holding that label alone, so server-side apply makes anymesh own only the label (the Service must already exist, and delete leaves the label in place)',
    {
      description:
        'The services with L7 policies are bound to a waypoint by the istio.io/use-waypoint label, written as a Service object holding that label alone, so server-side apply makes anymesh own only the label.',
      fix: 'Nothing; make sure the Services exist before applying, and remove the label by hand when no longer wanted.',
      example: 'any TrafficPolicy compiled with --option istio.dataplane=ambient',
    },
  ),
  CorsOrigin: m(
    'AM4107',
    'error',
    'IstioAmbientCorsOrigin',
    'CORS origin {origin} is not scheme://host[:port] without wildcards (http or https): the Gateway API CORS filter accepts no other form, and a * there is a wildcard, wider than an exact origin. Write the origin that way, or compile with istio.dataplane=sidecar',
    {
      description:
        'The Gateway API CORS filter takes origins as scheme://host[:port], where * is a wildcard; an origin of another form, or an exact origin with *, cannot be written without changing its meaning.',
      fix: 'Write the origin as scheme://host[:port] without *, or compile for the sidecar data plane.',
      example: 'cors.allowOrigins: [{exact: shop.example.com}] compiled for ambient',
    },
  ),
  PerTryTimeout: m(
    'AM4108',
    'error',
    'IstioAmbientPerTryTimeout',
    'perTryTimeout {perTry} is longer than the rule timeout {timeout}: Gateway API refuses timeouts.backendRequest longer than timeouts.request. Shorten perTryTimeout or lengthen timeout',
    {
      description:
        'With a retry stanza Istio makes timeouts.backendRequest the per-try timeout, and Gateway API refuses a backendRequest longer than timeouts.request.',
      fix: 'Shorten perTryTimeout or lengthen timeout.',
      example: 'timeout: 1s with retries.perTryTimeout: 2s, compiled for ambient',
    },
  ),
  Duration: m(
    'AM4109',
    'error',
    'IstioAmbientDuration',
    '{what} {value} does not fit the Gateway API duration format (at most 5 digits per unit, h, m, s, ms); use a shorter duration',
    {
      description: 'Gateway API durations allow at most 5 digits per unit.',
      fix: 'Use a shorter duration.',
      example: 'timeout: 100000s compiled for ambient',
    },
  ),
  WaypointGuard: m(
    'AM4110',
    'info',
    'IstioAmbientWaypointGuard',
    'access to {service} is enforced by waypoint {waypoint} (targetRefs), because {why}; AuthorizationPolicy {guard} lets only the waypoint identity {principal} reach its pods directly, so callers cannot go around the waypoint',
    {
      description:
        "A service with a waypoint has its AccessPolicies enforced by the waypoint (targetRefs); a guard by selector lets only the waypoint's identity reach its pods at ztunnel, so callers cannot go around the L7 rules.",
      fix: 'Nothing; callers must reach the service through its Service name (not pod IPs).',
      example: 'an AccessPolicy with methods or paths compiled for ambient',
    },
  ),
  NameTooLong: m(
    'AM4111',
    'error',
    'IstioAmbientNameTooLong',
    '{what} {name} is longer than {limit} characters; shorten the {field}',
    {
      description:
        'A leaf Service name is the service and version names joined, and a Service name is a DNS-1035 label of at most 63 characters.',
      fix: 'Shorten the service or version name.',
      example: 'a version with a 60-character name, compiled for ambient',
    },
  ),
  NamespaceMode: m(
    'AM4112',
    'error',
    'IstioNamespaceMode',
    'namespace {namespace} is {mode} ({label}) but the output is for the {dataplane} data plane: {why}. Compile with --option istio.dataplane={mode}, relabel the namespace, or pass --option istio.anyNamespaceMode=true to apply it anyway',
    {
      description:
        "apply and diff read the target namespace's labels: sidecar output in an ambient namespace is at best Alpha and its L7 AuthorizationPolicies by selector are not enforced, and ambient output in a sidecar namespace is bypassed by the sidecars.",
      fix: "Compile for the namespace's data plane, relabel the namespace, or pass --option istio.anyNamespaceMode=true.",
      example: 'anymesh apply --mesh istio into a namespace labelled istio.io/dataplane-mode=ambient',
    },
  ),
  DenyHttpOnly: m(
    'AM4113',
    'warning',
    'IstioDenyHttpOnly',
    'Istio cannot check methods, paths or headers on TCP (non-HTTP) traffic and leaves them out of a DENY rule there, so the rule would refuse every TCP connection from {callers} to {service}, not only the listed requests (istioctl analyze: IST0133); list the container ports in spec.to[{index}].ports, or give {service} a TrafficPolicy with spec.port, to limit the rule to those ports',
    {
      description:
        'An AuthorizationPolicy DENY rule with HTTP-only attributes (methods, paths) and no ports also applies to TCP traffic, where Istio drops the HTTP attributes: the rule then denies every TCP connection from those callers.',
      fix: 'List the ports in spec.to[].ports, or give the service a TrafficPolicy with spec.port.',
      example:
        'an AccessPolicy with action: deny, to: [{methods: [DELETE]}] and no TrafficPolicy with spec.port',
    },
  ),
  DenyPortsAdded: m(
    'AM4114',
    'info',
    'IstioDenyPortsAdded',
    'spec.to[{index}] names no ports; the DENY rule gets port(s) {ports} of {service} (spec.port of {origin}), since Istio would otherwise refuse every TCP connection from these callers; requests to other ports are not denied, and the port is taken as the container port; list spec.to[{index}].ports to choose',
    {
      description:
        "A DENY rule with methods, paths or headers and no ports is limited to the service's port from its TrafficPolicy, so Istio does not widen it to every TCP connection.",
      fix: 'Nothing if that is the port; otherwise list spec.to[].ports.',
      example: 'an AccessPolicy denying DELETE to reviews, with a TrafficPolicy for reviews on port 9080',
    },
  ),
  ImportNoNeutralForm: m('AM4115', 'warning', 'IstioImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'An Istio field has no form in the neutral model (gateway binding, exportTo visibility, redirects, rewrites, DestinationRule settings a BackendPolicy does not hold (client TLS, locality balancing, per-subset traffic policies), conditions on request principals ...), so the import leaves it out and says so. `--strict` makes it an error.',
    fix: 'Keep the field in a native overlay applied next to the compiled objects, or drop it knowingly.',
    example:
      'a VirtualService route with `rewrite: {uri: /}`, or a DestinationRule with `trafficPolicy.loadBalancer.localityLbSetting`',
  }),
  ImportMeaningChanges: m(
    'AM4116',
    'warning',
    'IstioImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'An Istio field was imported into the closest neutral form, which behaves differently in a way the message names (e.g. `ignoreUriCase` becomes a case-sensitive path match). `--strict` makes it an error.',
      fix: 'Review the imported policy; change the native object or the imported policy so both mean the same.',
      example: 'a match with `uri: {prefix: /api}` and `ignoreUriCase: true`',
    },
  ),
  ImportJoined: m('AM4122', 'info', 'IstioImportJoined', '{what} are joined into {policy}: {how}', {
    description:
      'Several Istio objects together make one neutral policy (Gateway API routes of one parent Service and their leaf Services); the note says which and in what order their rules were put.',
    fix: 'Nothing; review the rule order of the imported policy if the routes were written separately.',
    example: 'two HTTPRoutes with the same Service parentRef',
  }),
  ImportSharedHost: m(
    'AM4117',
    'warning',
    'IstioImportSharedHost',
    'VirtualServices {names} all bind host {host}; Istio merges them only at gateways (for sidecars one wins, in no defined order), while the imported policies are merged in anymesh order (scoped policies first, then by name)',
    {
      description:
        'Several VirtualServices name the same host. Istio documents merging them only for gateways; anymesh imports each as its own TrafficPolicy, whose combined order may differ from what a sidecar did.',
      fix: 'Review the rule order of the imported policies, or join the VirtualServices into one before importing.',
      example: 'VirtualServices reviews-a and reviews-b, both with `hosts: [reviews]`',
    },
  ),
  ImportRuleRenamed: m(
    'AM4118',
    'info',
    'IstioImportRuleRenamed',
    'route name {name} is not a DNS-1123 label, so the rule takes the default name {rule}',
    {
      description:
        'Neutral rule names are DNS-1123 labels; an Istio route name that is not one is replaced by the default name. Names do not change routing.',
      fix: 'Nothing; rename the route if the name matters to you.',
      example: '`http: [{name: Canary_Route, ...}]`',
    },
  ),
  BackendLeafHosts: m(
    'AM4119',
    'info',
    'IstioAmbientBackendLeafHosts',
    'the backend settings of {service} also go to DestinationRules for its leaf Services {leaves}: its waypoint sends the traffic a route gives a version to that leaf Service, a host with its own DestinationRule',
    {
      description:
        "In ambient mode a version is a leaf Service, and the waypoint's cluster for it (outbound|<port>||<leaf host>) reads the DestinationRule of the leaf host, not the service's; so a BackendPolicy's settings are written for the service and for each of its leaf Services.",
      fix: 'Nothing; the leaf DestinationRules come and go with the versions the routes use.',
      example:
        'a BackendPolicy for reviews and a TrafficPolicy splitting reviews between v1 and v2, compiled with --option istio.dataplane=ambient',
    },
  ),
  IdleTimeoutShared: m(
    'AM4140',
    'error',
    'IstioIdleTimeoutShared',
    'idle timeout {value} differs from {otherValue}, set by {other}; Istio keeps one TCP idle timeout per service, for every port and caller',
    {
      description:
        "A TCP idle timeout is a DestinationRule connection-pool setting (a VirtualService tcp route has none), and istiod gives the tcp_proxy only the DestinationRule's top-level one (not portLevelSettings), so two TCP policies for one service (for different ports or callers) cannot set different idle timeouts.",
      fix: 'Give both policies the same timeout, or set it in one of them only.',
      example: 'two tcp TrafficPolicies for db, for different sources or ports, with timeouts 10m and 1h',
    },
  ),
  ImportGrpcFromPaths: m(
    'AM4120',
    'info',
    'IstioImportGrpcFromPaths',
    'imported as protocol grpc: every path the routes match for {service} is a gRPC call ({paths}), and no Service in the input declares the protocol of the port',
    {
      description:
        "A VirtualService, or an HTTPRoute of a gRPC policy with timeouts, retries or CORS (which GRPCRoute lacks), matches gRPC calls by their HTTP/2 path `/<package.Service>/<Method>` (what anymesh writes for gRPC matches), and Istio takes the port's protocol from the Service (port name `grpc-*` or appProtocol `grpc`). When the Service is not in the input, routes whose every path has that form, with package-qualified service names and no method or query conditions, are read as a gRPC policy with gRPC matches; they compile back to the same VirtualService or HTTPRoute.",
      fix: 'Nothing when the service speaks gRPC; otherwise give the Service (with its port name or appProtocol) to the import, or set protocol http in the imported policy and turn the grpc matches back into paths.',
      example:
        'a VirtualService route matching `uri: {exact: /shop.Cart/AddItem}`, imported without the cart Service',
    },
  ),
  HeaderWildcard: m(
    'AM4121',
    'error',
    'IstioHeaderWildcard',
    'header {header}: the {how} value {value} begins or ends with *, which an AuthorizationPolicy condition reads as a wildcard (prefix, suffix or any value), so Istio cannot check it as written; {service} gets no AuthorizationPolicy from {policy}',
    {
      description:
        'Istio turns a condition value `*` into a presence match, `*x` into a suffix and `x*` into a prefix (pilot/pkg/security/authz/matcher HeaderMatcher), with no escape: an exact value or a prefix that itself begins or ends with `*` would match other requests than asked. A security policy is not compiled in part, so the whole AccessPolicy is left out.',
      fix: 'Match the header with a value or prefix without a * at its ends, or check it in the application.',
      example: "an AccessPolicy operation with headers: [{name: x-scope, exact: 'admin*'}]",
    },
  ),
} as const satisfies Record<string, MessageType>;

export type IstioMessage = keyof typeof ISTIO_MESSAGES;

/** An Istio diagnostic; its parameters are checked against the template of `name`. */
export function istioDiag<K extends IstioMessage>(
  name: K,
  ...args: MessageArgs<(typeof ISTIO_MESSAGES)[K]['template'], DiagnosticContext>
): Diagnostic {
  return makeDiagnostic<string>(ISTIO_MESSAGES[name], ...(args as [DiagnosticParams?, DiagnosticContext?]));
}
