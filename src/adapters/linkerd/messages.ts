/**
 * The Linkerd adapter's diagnostics (codes AM4200-AM4299). Each says what is wrong and what would be
 * right; tests assert the codes, never the wording.
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const LINKERD_MESSAGES = {
  PortRequired: m(
    'AM4201',
    'error',
    'LinkerdPortRequired',
    '{what} needs a port and spec.port is not set: {why}. Set spec.port to the Service port clients call',
    {
      description:
        'Linkerd attaches HTTPRoutes and Servers to a Service port (parentRefs[].port, Server.spec.port), and the policy does not name one.',
      fix: 'Set spec.port to the Service port clients call.',
      example: 'a TrafficPolicy with versions for reviews and no spec.port, compiled for Linkerd',
    },
  ),
  LeafServices: m(
    'AM4202',
    'info',
    'LinkerdLeafServices',
    'versions of {service} become Services {leaves}, each selecting {selector} (from {origin}) plus its version labels, on port {port} with targetPort {port}; if Service {service} maps port {port} to another container port, edit the leaf Services or set spec.port to match',
    {
      description:
        'Linkerd splits traffic between Services, not subsets, so each version becomes a leaf Service selecting its pods; anymesh assumes the leaf forwards spec.port to the same container port.',
      fix: 'Nothing when the port maps to itself; otherwise edit the leaf Services or set spec.port to match.',
      example: 'a TrafficPolicy for reviews with versions v1 and v2 on port 9080',
    },
  ),
  RuleOrder: m(
    'AM4203',
    'error',
    'LinkerdRuleOrder',
    'rule {later} comes after rule {earlier}, but Linkerd ranks HTTPRoute matches by specificity (Gateway API precedence: exact path, longest prefix, method, most headers, most query parameters), not by order, so requests matching both would take rule {later}; put rule {later} first, or make the matches disjoint',
    {
      description:
        'Linkerd orders HTTPRoute matches by Gateway API precedence (specificity), not by the order of the rules, so a later, more specific rule would win over an earlier one.',
      fix: 'Put the more specific rule first, or make the matches disjoint.',
      example: 'rule a matches prefix /, rule b (after it) matches exact /login',
    },
  ),
  RuleOrderAcrossRoutes: m(
    'AM4204',
    'error',
    'LinkerdRuleTie',
    'rules {earlier} and {later} match the same requests equally specifically but differ in timeout or retries, which Linkerd sets per HTTPRoute, so they go into separate HTTPRoutes that Linkerd orders by creation time; give them the same timeout and retries, or make one more specific',
    {
      description:
        'Two rules match equally specifically but need different timeouts or retries, which Linkerd sets per HTTPRoute; separate HTTPRoutes are ordered by creation time, which the policy does not control.',
      fix: 'Give both rules the same timeout and retries, or make one match more specific.',
      example: 'two rules matching prefix /api, one with timeout 1s and one with 5s',
    },
  ),
  RoutesMerged: m(
    'AM4205',
    'warning',
    'LinkerdRoutesMerged',
    '{policy} and {other} both route calls to {service} for the same callers ({scope}); Linkerd merges their HTTPRoutes by Gateway API precedence (most specific match first, then the oldest route), not scoped policy first',
    {
      description:
        'Two policies route the same service for overlapping callers or ports; Linkerd merges their HTTPRoutes by Gateway API precedence, not by which policy is more narrowly scoped.',
      fix: 'Check the merged order is acceptable, or scope the policies apart.',
      example: 'one TrafficPolicy for reviews on every port and one on port 9080 only',
    },
  ),
  AccessPortsRequired: m(
    'AM4206',
    'error',
    'LinkerdAccessPortsRequired',
    'Linkerd authorizes callers per Server, and a Server covers one container port; list the container ports of {service} in spec.to[{index}].ports (an operation without ports would have to cover every port)',
    {
      description:
        'Linkerd authorizes callers per Server, and a Server covers one container port, but this AccessPolicy rule names no ports.',
      fix: 'List the container ports of the service in spec.to[].ports.',
      example: 'an AccessPolicy with `to: [{methods: [GET]}]` compiled for Linkerd',
    },
  ),
  ServerPortsRequired: m(
    'AM4207',
    'error',
    'LinkerdServerPortsRequired',
    'strict mTLS in Linkerd is a Server with accessPolicy all-authenticated, and a Server covers one container port, which MTLSPolicy does not name; pass --option linkerd.serverPorts=<port,...> with the container ports to cover (or annotate the workloads with config.linkerd.io/default-inbound-policy: all-authenticated yourself)',
    {
      description:
        'Strict mTLS is a Server with accessPolicy all-authenticated per container port, and an MTLSPolicy names no ports.',
      fix: 'Pass --option linkerd.serverPorts=<port,...>, or annotate the workloads with config.linkerd.io/default-inbound-policy: all-authenticated.',
      example: 'an MTLSPolicy with mode strict and scope namespace, compiled without linkerd.serverPorts',
    },
  ),
  ServerOverlap: m(
    'AM4208',
    'error',
    'LinkerdServerOverlap',
    'Server {server} and Server {other} would both select port {port} of the same pods, which Linkerd refuses (one Server per pod port); {hint}',
    {
      description:
        'A namespace-wide strict Server and a service Server would select the same pod port, which Linkerd refuses, and the service selector cannot be excluded from the namespace Server.',
      fix: 'Do what the hint says: give the service a one-label selector, or cover the service by its own policies only.',
      example: 'a strict namespace MTLSPolicy plus an AccessPolicy for a service selected by two labels',
    },
  ),
  InboundRoutes: m(
    'AM4210',
    'warning',
    'LinkerdInboundRoutes',
    'Server {server} gets inbound HTTPRoutes for the method/path rules; once a Server has HTTPRoutes, requests matching none are refused, and kubelet probes on port {port} are no longer authorized by default: if the pods are probed on that port, allow the probe paths (e.g. a NetworkAuthentication for the node network)',
    {
      description:
        'Method or path rules become inbound HTTPRoutes on the Server; once a Server has HTTPRoutes, Linkerd refuses requests matching none of them, including kubelet probes.',
      fix: 'If the pods are probed on that port, allow the probe paths (e.g. a NetworkAuthentication for the node network).',
      example: 'an AccessPolicy allowing only GET /api on the port its readiness probe uses',
    },
  ),
  NameTooLong: m(
    'AM4211',
    'error',
    'LinkerdNameTooLong',
    '{what} name {name} is longer than {limit} characters; use a shorter {field}',
    {
      description:
        'A native object name derived from policy, service, version or rule names is longer than Kubernetes allows.',
      fix: 'Use shorter names in the field named.',
      example: 'a version name of 60 characters on a long service name',
    },
  ),
  TooManyMatches: m(
    'AM4212',
    'error',
    'LinkerdTooManyMatches',
    '{what} has {count} entries; the HTTPRoute CRD allows at most {limit} ({why}); split the rule',
    {
      description:
        'The HTTPRoute CRD limits matches, headers or query parameters per rule, and this rule has more.',
      fix: 'Split the rule into several rules.',
      example: 'a rule with 9 match entries (the HTTPRoute CRD allows 8)',
    },
  ),
  StrictImplied: m(
    'AM4213',
    'info',
    'LinkerdStrictImplied',
    'port {port} of {service} already has Server {server} from an AccessPolicy (accessPolicy deny, callers allowed by mTLS identity), which refuses plaintext too; the strict MTLSPolicy adds nothing there',
    {
      description:
        'An AccessPolicy already made a Server with accessPolicy deny on this port, which refuses plaintext too, so the strict MTLSPolicy adds nothing there.',
      fix: 'Nothing; keep the MTLSPolicy for the other ports or meshes.',
      example: 'a strict MTLSPolicy and an AccessPolicy for the same service and port',
    },
  ),
  BadOption: m('AM4214', 'error', 'LinkerdBadOption', 'option {option}={value} is not valid: {reason}', {
    description: 'An adapter option (--option linkerd.*) has a value it cannot use.',
    fix: 'Give a value as the reason says (`anymesh capabilities --mesh linkerd -o json` lists the options).',
    example: '`--option linkerd.serverPorts=http`',
  }),
  SourceIsProducer: m(
    'AM4215',
    'error',
    'LinkerdSourceIsProducer',
    "Linkerd applies a route in the service's own namespace ({namespace}) to every caller, so a route cannot be limited to callers in {namespace}; drop this source to apply the rules to every caller, or move the callers to another namespace",
    {
      description:
        "A route in the service's own namespace applies to every caller in Linkerd (producer routes), so it cannot be limited to callers in that namespace.",
      fix: 'Drop that source to apply the rules to every caller, or move the callers to another namespace.',
      example: 'a TrafficPolicy in namespace shop with `sources: [{namespace: shop}]`',
    },
  ),
  RouteScopeConflict: m(
    'AM4216',
    'error',
    'LinkerdRouteScopeConflict',
    '{policy} and {other} (at {where}) both route calls to {service} for {scope}; Linkerd would order their rules by route creation time. Merge their rules into one policy, or scope them apart with spec.port or spec.sources',
    {
      description:
        'Two TrafficPolicies route calls to the same service for the same port and callers; Linkerd would order their HTTPRoutes by creation time, which the policies do not control.',
      fix: 'Merge their rules into one policy, or scope them apart with spec.port or spec.sources.',
      example: 'two TrafficPolicies for reviews, neither with spec.port or spec.sources',
    },
  ),
  ServerSelectorConflict: m(
    'AM4217',
    'error',
    'LinkerdServerSelectorConflict',
    '{policy} selects the pods of {service} with {selector} but {other} with {otherSelector}; Linkerd allows one Server per pod port, so give both the same spec.selector',
    {
      description:
        'Two policies for one service and port select its pods with different spec.selector, and Linkerd allows one Server per pod port.',
      fix: 'Give every policy of the service the same spec.selector.',
      example: 'an AccessPolicy for reviews with selector app=reviews and another with app=reviews,tier=web',
    },
  ),
  RateLimitNeedsPort: m(
    'AM4218',
    'error',
    'LinkerdRateLimitNeedsPort',
    'Linkerd rate limits the inbound traffic of a Server, which selects one pod port; give spec.port (the container port of {service} to limit)',
    {
      description:
        'A BackendPolicy with a rate limit has no spec.port, and Linkerd attaches rate limits (HTTPLocalRateLimitPolicy) to a Server, which selects one pod port.',
      fix: 'Give spec.port: the container port whose inbound requests are limited.',
      example: 'a BackendPolicy for reviews with rateLimit and no port',
    },
  ),
  AccrualDiffers: m(
    'AM4219',
    'error',
    'LinkerdAccrualDiffers',
    'Linkerd sets failure accrual once per Service (annotations on {service}, for every port), and {other} sets different outlier detection for it; give both policies the same outlierDetection, or set it in one',
    {
      description:
        "Two BackendPolicies for one service (on different ports) set different outlier detection, and Linkerd's failure accrual is annotations on the destination Service, which hold for all its ports.",
      fix: 'Give both the same outlierDetection, or keep it in one of them.',
      example: 'BackendPolicies for reviews on ports 9080 and 9443 with consecutiveErrors 5 and 3',
    },
  ),
  ImportNoNeutralForm: m('AM4260', 'warning', 'LinkerdImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'A Linkerd field has no form in the neutral model (ServiceProfile retry budgets and response classes, Server proxyProtocol, `*` identities, response and idle timeouts, hostnames, redirects ...), so the import leaves it out and says so. `--strict` makes it an error.',
    fix: 'Keep the field in a native overlay applied next to the compiled objects, or drop it knowingly.',
    example: 'an HTTPRoute annotated `timeout.linkerd.io/idle: 30s`, or a ServiceProfile with `retryBudget`',
  }),
  ImportMeaningChanges: m(
    'AM4261',
    'warning',
    'LinkerdImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'A Linkerd field was imported into the closest neutral form, which behaves differently in a way the message names (e.g. relative backend weights rounded to percentages, an unanchored regular expression). `--strict` makes it an error.',
      fix: 'Review the imported policy; change the native object or the imported policy so both mean the same.',
      example: 'an HTTPRoute with three backendRefs of weight 1 (33/33/34 after the import)',
    },
  ),
  ImportJoined: m('AM4262', 'info', 'LinkerdImportJoined', '{what} are joined into {policy}: {how}', {
    description:
      'Several Linkerd objects together make one neutral policy (HTTPRoutes of one parent Service, leaf Services, Servers and their AuthorizationPolicies); the note says which and in what order their rules were put.',
    fix: 'Nothing; review the rule order of the imported policy if the routes were written separately.',
    example: 'two HTTPRoutes with the same Service parentRef',
  }),
  GrpcRetryHttpCondition: m(
    'AM4240',
    'error',
    'LinkerdGrpcRetryHttpCondition',
    "retry condition {got} is an HTTP status, and Linkerd reads a GRPCRoute's retries from retry.linkerd.io/grpc, which takes gRPC statuses only; leave retryOn out (retries then use Linkerd's default gRPC conditions) or compile the policy with protocol http",
    {
      description:
        'A gRPC policy becomes a GRPCRoute, whose retries Linkerd reads from the retry.linkerd.io/grpc annotation only (policy-controller outbound/index/grpc.rs parse_grpc_retry); HTTP status conditions have nowhere to go.',
      fix: 'Remove the HTTP conditions from retryOn, or give the policy protocol http.',
      example: '`protocol: grpc` with `retries: {attempts: 2, retryOn: [5xx]}`',
    },
  ),
} as const satisfies Record<string, MessageType>;

export type LinkerdMessage = keyof typeof LINKERD_MESSAGES;
