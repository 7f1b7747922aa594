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
  ),
  LeafServices: m(
    'AM4202',
    'info',
    'LinkerdLeafServices',
    'versions of {service} become Services {leaves}, each selecting {selector} (from {origin}) plus its version labels, on port {port} with targetPort {port}; if Service {service} maps port {port} to another container port, edit the leaf Services or set spec.port to match',
  ),
  RuleOrder: m(
    'AM4203',
    'error',
    'LinkerdRuleOrder',
    'rule {later} comes after rule {earlier}, but Linkerd ranks HTTPRoute matches by specificity (Gateway API precedence: exact path, longest prefix, method, most headers, most query parameters), not by order, so requests matching both would take rule {later}; put rule {later} first, or make the matches disjoint',
  ),
  RuleOrderAcrossRoutes: m(
    'AM4204',
    'error',
    'LinkerdRuleTie',
    'rules {earlier} and {later} match the same requests equally specifically but differ in timeout or retries, which Linkerd sets per HTTPRoute, so they go into separate HTTPRoutes that Linkerd orders by creation time; give them the same timeout and retries, or make one more specific',
  ),
  RoutesMerged: m(
    'AM4205',
    'warning',
    'LinkerdRoutesMerged',
    '{policy} and {other} both route calls to {service} for the same callers ({scope}); Linkerd merges their HTTPRoutes by Gateway API precedence (most specific match first, then the oldest route), not scoped policy first',
  ),
  AccessPortsRequired: m(
    'AM4206',
    'error',
    'LinkerdAccessPortsRequired',
    'Linkerd authorizes callers per Server, and a Server covers one container port; list the container ports of {service} in spec.to[{index}].ports (an operation without ports would have to cover every port)',
  ),
  ServerPortsRequired: m(
    'AM4207',
    'error',
    'LinkerdServerPortsRequired',
    'strict mTLS in Linkerd is a Server with accessPolicy all-authenticated, and a Server covers one container port, which MTLSPolicy does not name; pass --option linkerd.serverPorts=<port,...> with the container ports to cover (or annotate the workloads with config.linkerd.io/default-inbound-policy: all-authenticated yourself)',
  ),
  ServerOverlap: m(
    'AM4208',
    'error',
    'LinkerdServerOverlap',
    'Server {server} and Server {other} would both select port {port} of the same pods, which Linkerd refuses (one Server per pod port); {hint}',
  ),
  InboundRoutes: m(
    'AM4210',
    'warning',
    'LinkerdInboundRoutes',
    'Server {server} gets inbound HTTPRoutes for the method/path rules; once a Server has HTTPRoutes, requests matching none are refused, and kubelet probes on port {port} are no longer authorized by default: if the pods are probed on that port, allow the probe paths (e.g. a NetworkAuthentication for the node network)',
  ),
  NameTooLong: m(
    'AM4211',
    'error',
    'LinkerdNameTooLong',
    '{what} name {name} is longer than {limit} characters; use a shorter {field}',
  ),
  TooManyMatches: m(
    'AM4212',
    'error',
    'LinkerdTooManyMatches',
    '{what} has {count} entries; the HTTPRoute CRD allows at most {limit} ({why}); split the rule',
  ),
  StrictImplied: m(
    'AM4213',
    'info',
    'LinkerdStrictImplied',
    'port {port} of {service} already has Server {server} from an AccessPolicy (accessPolicy deny, callers allowed by mTLS identity), which refuses plaintext too; the strict MTLSPolicy adds nothing there',
  ),
  BadOption: m('AM4214', 'error', 'LinkerdBadOption', 'option {option}={value} is not valid: {reason}'),
  SourceIsProducer: m(
    'AM4215',
    'error',
    'LinkerdSourceIsProducer',
    "Linkerd applies a route in the service's own namespace ({namespace}) to every caller, so a route cannot be limited to callers in {namespace}; drop this source to apply the rules to every caller, or move the callers to another namespace",
  ),
} as const satisfies Record<string, MessageType>;

export type LinkerdMessage = keyof typeof LINKERD_MESSAGES;
