/**
 * Consul's column of the capability matrix. Field names from the consul-k8s v2.0.3 CRDs
 * (shared/crds/consul); behaviour checked in the MPL-licensed Consul source hashicorp/consul@v1.16.3
 * (agent/structs/config_entry_discoverychain.go, config_entry_intentions.go, agent/xds/routes.go) and
 * its docs (website/content/docs/connect/config-entries/*.mdx), cited per cell.
 */
import type { CapabilityCell, CapabilityColumn } from '../../core/capabilities.js';
import { consulBackendCells, consulEnterpriseBackendCells } from './backend-capabilities.js';
import { consulProtocolCells } from './protocol-capabilities.js';

const DOCS = 'https://developer.hashicorp.com/consul/docs/connect/config-entries';
const ROUTER = `${DOCS}/service-router`;
const SPLITTER = `${DOCS}/service-splitter`;
const RESOLVER = `${DOCS}/service-resolver`;
const DEFAULTS = `${DOCS}/service-defaults`;
const INTENTIONS = `${DOCS}/service-intentions`;
const PERMISSIVE = 'https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode';
const FAULT_ENT = 'https://developer.hashicorp.com/consul/docs/troubleshoot/fault-injection';

/** The oldest Consul with every field used here (permissive mTLS and mutualTLSMode came in 1.16). */
const MIN = '1.16';

const full = (native: string, docs: string, reason = 'native field'): CapabilityCell => ({
  support: 'full',
  reason,
  native,
  docs,
  minVersion: MIN,
});

const none = (reason: string, workaround: string, docs: string): CapabilityCell => ({
  support: 'none',
  reason,
  workaround,
  docs,
});

const NO_SOURCES =
  'a ServiceRouter belongs to the destination service and applies to every caller alike; Consul has no caller-scoped routing (routers match only on request attributes)';
const NO_SOURCES_WORKAROUND =
  'have the callers mark their requests (e.g. a header set by the caller) and match on it, or give the callers their own upstream service name';
const NO_FAULT =
  'Consul Community Edition has no fault injection in its config entries; Consul Enterprise 1.18+ has the builtin/fault-injection Envoy extension (ServiceDefaults envoyExtensions), which anymesh does not emit';
const NO_FAULT_WORKAROUND =
  'on Consul Enterprise 1.18+, add a ServiceDefaults envoyExtensions entry named builtin/fault-injection by hand; on CE, inject faults in the application or a test proxy';
const NO_MIRROR =
  'Consul config entries cannot mirror (shadow) traffic; the feature request hashicorp/consul#9827 is open and only escape-hatch Envoy configuration can do it';
const NO_CORS =
  'Consul config entries have no CORS policy for mesh traffic (no router, splitter or defaults field)';
const NO_CORS_WORKAROUND = 'answer CORS in the application or at the ingress / API gateway';

export const consulCapabilities: CapabilityColumn = {
  'match.path.exact': full('ServiceRouter routes[].match.http.pathExact', ROUTER),
  'match.path.prefix': full('ServiceRouter routes[].match.http.pathPrefix', ROUTER),
  'match.path.regex': full('ServiceRouter routes[].match.http.pathRegex (Envoy RE2)', ROUTER),
  'match.method': full('ServiceRouter routes[].match.http.methods', ROUTER),
  'match.headers.exact': full('ServiceRouter routes[].match.http.header[].exact', ROUTER),
  'match.headers.prefix': full('ServiceRouter routes[].match.http.header[].prefix', ROUTER),
  'match.headers.regex': full('ServiceRouter routes[].match.http.header[].regex', ROUTER),
  'match.headers.present': full('ServiceRouter routes[].match.http.header[].present: true', ROUTER),
  'match.queryParams.exact': full('ServiceRouter routes[].match.http.queryParam[].exact', ROUTER),
  'match.queryParams.regex': full('ServiceRouter routes[].match.http.queryParam[].regex', ROUTER),
  'match.queryParams.present': full('ServiceRouter routes[].match.http.queryParam[].present: true', ROUTER),
  'match.port': {
    support: 'partial',
    reason:
      'Consul routes by service name, and a Consul service has one port (consul-k8s registers the first port of the Service, or consul.hashicorp.com/connect-service-port)',
    differs:
      'spec.port is not matched: the policy governs every call to the Consul service, whatever the port; on a multi-port Kubernetes Service register each port as its own Consul service to keep them apart',
    native: 'none (ServiceRouter is per service name)',
    docs: 'https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels',
    minVersion: MIN,
  },
  'backends.version': full(
    'ServiceResolver subsets.<v>.filter "Service.Meta.<key> == <value>" + routes[].destination.serviceSubset / splits[].serviceSubset',
    RESOLVER,
    'native subsets; the pods must carry consul.hashicorp.com/service-meta-<key> annotations (said in AM4302)',
  ),
  'backends.weighted': {
    support: 'full',
    reason:
      'native ServiceSplitter; a rule with matches (or other rules beside it) routes to a per-rule virtual service that carries the splitter, since a Consul router destination names a service, not a split',
    native:
      'ServiceSplitter splits[].{weight, service, serviceSubset}; ServiceRouter routes[].destination.service: <service>-split-<rule> when the split is per rule',
    docs: SPLITTER,
    minVersion: MIN,
  },
  'backends.service': full(
    'ServiceRouter routes[].destination.service / ServiceSplitter splits[].service (namespace with consul.enterprise=true)',
    ROUTER,
    'native field; Consul calls the registered port of the other service (a Consul service has one port)',
  ),
  'routing.sources.namespace': none(NO_SOURCES, NO_SOURCES_WORKAROUND, ROUTER),
  'routing.sources.serviceAccount': none(NO_SOURCES, NO_SOURCES_WORKAROUND, ROUTER),
  'routing.sources.labels': none(NO_SOURCES, NO_SOURCES_WORKAROUND, ROUTER),
  'timeout.request': full(
    'ServiceRouter routes[].destination.requestTimeout',
    ROUTER,
    'native field; Envoy route timeout, which covers every retry',
  ),
  'retries.attempts': full('ServiceRouter routes[].destination.numRetries', ROUTER),
  'retries.perTryTimeout': none(
    'ServiceRouter destinations have numRetries and retry conditions but no per-try timeout (none in the CRD or in the config entry)',
    'bound the whole request with timeout instead, or let the application time out',
    ROUTER,
  ),
  'retries.on.http': full(
    'ServiceRouter routes[].destination.retryOn (5xx, gateway-error, retriable-4xx) and retryOnStatusCodes',
    ROUTER,
    'native fields; Consul adds retriable-status-codes to Envoy retry_on when status codes are listed (agent/xds/routes.go)',
  ),
  'retries.on.connection': full(
    'ServiceRouter routes[].destination.retryOnConnectFailure (connect-failure) and retryOn (reset, refused-stream)',
    ROUTER,
  ),
  'retries.on.grpc': full(
    'ServiceRouter routes[].destination.retryOn (cancelled, deadline-exceeded, internal, resource-exhausted, unavailable)',
    ROUTER,
    'native field; accepted conditions checked in isValidRetryCondition (consul v1.16.3)',
  ),
  'retries.backoff': none(
    'Consul sets no retry backoff (the Envoy default of 25ms base applies); neither the CRD nor the config entry has a field for it',
    'leave backoff out and rely on the Envoy default (25ms base, 250ms max)',
    ROUTER,
  ),
  'retries.backoff.max': none(
    'Consul sets no retry backoff (the Envoy default of 250ms maximum applies)',
    'leave backoff out and rely on the Envoy default (25ms base, 250ms max)',
    ROUTER,
  ),
  'fault.delay': none(NO_FAULT, NO_FAULT_WORKAROUND, FAULT_ENT),
  'fault.abort.http': none(NO_FAULT, NO_FAULT_WORKAROUND, FAULT_ENT),
  'fault.abort.grpc': none(NO_FAULT, NO_FAULT_WORKAROUND, FAULT_ENT),
  mirror: none(
    NO_MIRROR,
    'mirror at an ingress that supports it, or replay captured traffic',
    'https://github.com/hashicorp/consul/issues/9827',
  ),
  'mirror.percentage': none(
    NO_MIRROR,
    'mirror at an ingress that supports it',
    'https://github.com/hashicorp/consul/issues/9827',
  ),
  'headers.request.set': full(
    'ServiceRouter routes[].destination.requestHeaders.set / ServiceSplitter splits[].requestHeaders.set',
    ROUTER,
  ),
  'headers.request.add': full(
    'ServiceRouter routes[].destination.requestHeaders.add / ServiceSplitter splits[].requestHeaders.add',
    ROUTER,
  ),
  'headers.request.remove': full(
    'ServiceRouter routes[].destination.requestHeaders.remove / ServiceSplitter splits[].requestHeaders.remove',
    ROUTER,
  ),
  'headers.response.set': full(
    'ServiceRouter routes[].destination.responseHeaders.set / ServiceSplitter splits[].responseHeaders.set',
    ROUTER,
  ),
  'headers.response.add': full(
    'ServiceRouter routes[].destination.responseHeaders.add / ServiceSplitter splits[].responseHeaders.add',
    ROUTER,
  ),
  'headers.response.remove': full(
    'ServiceRouter routes[].destination.responseHeaders.remove / ServiceSplitter splits[].responseHeaders.remove',
    ROUTER,
  ),
  cors: none(NO_CORS, NO_CORS_WORKAROUND, 'https://github.com/hashicorp/consul/issues/9827'),
  'cors.allowOrigins.prefix': none(
    NO_CORS,
    NO_CORS_WORKAROUND,
    'https://github.com/hashicorp/consul/issues/9827',
  ),
  'cors.allowOrigins.regex': none(
    NO_CORS,
    NO_CORS_WORKAROUND,
    'https://github.com/hashicorp/consul/issues/9827',
  ),
  'mtls.strict': full(
    'ServiceDefaults mutualTLSMode: strict (ProxyDefaults global for the mesh)',
    DEFAULTS,
    'mutual TLS is always on between Consul sidecars; strict is also the default mode',
  ),
  'mtls.permissive': {
    support: 'partial',
    reason:
      'ServiceDefaults / ProxyDefaults mutualTLSMode: permissive, allowed only when the Mesh entry sets allowEnablingPermissiveMutualTLS: true (both emitted)',
    differs:
      'permissive works only for services in transparent-proxy mode, intentions are not enforced on the plaintext connections it lets in, and the Mesh switch it needs is mesh-wide',
    native: 'ServiceDefaults mutualTLSMode: permissive + Mesh allowEnablingPermissiveMutualTLS: true',
    docs: PERMISSIVE,
    minVersion: MIN,
  },
  'mtls.scope.mesh': full('ProxyDefaults global: mutualTLSMode', `${DOCS}/proxy-defaults`),
  'mtls.scope.namespace': none(
    'Consul sets the mTLS mode per service (ServiceDefaults) or for all services (ProxyDefaults global); there is no per-namespace setting, and Consul Community Edition has no namespaces',
    'write one MTLSPolicy per service (spec.service), or one for the whole mesh (scope: mesh)',
    DEFAULTS,
  ),
  'mtls.scope.service': full('ServiceDefaults <service>: mutualTLSMode', DEFAULTS),
  'access.allow': full(
    'ServiceIntentions sources[].action: allow, plus a wildcard source "*" with action deny so that nobody else may call',
    INTENTIONS,
    'native intentions; the wildcard deny source makes the allow list exclusive whatever the ACL default policy',
  ),
  'access.deny': full('ServiceIntentions sources[].action: deny', INTENTIONS),
  'access.from.namespace': {
    support: 'none',
    reason:
      'Consul identifies callers by service name, and on Community Edition every service shares one namespace: "every caller of namespace X" has no Community Edition form',
    workaround:
      'list the calling services (namespace + serviceAccount), or with Consul Enterprise set --option consul.enterprise=true, where a namespace becomes the intention source {name: "*", namespace}',
    native: 'ServiceIntentions sources[].{name: "*", namespace} (Enterprise only)',
    docs: INTENTIONS,
  },
  'access.from.serviceAccount': {
    support: 'partial',
    reason: 'Consul identities are service names, not service accounts',
    differs:
      'the service account name is used as the calling Consul service name: consul-k8s registers pods under their Kubernetes Service name and, with ACLs on, requires the service account to carry that name; on Consul Community Edition the caller namespace is not part of the identity',
    native: 'ServiceIntentions sources[].name (and namespace with consul.enterprise=true)',
    docs: INTENTIONS,
    minVersion: MIN,
  },
  'access.from.authenticated': full(
    'ServiceIntentions sources[].name: "*" (with consul.enterprise=true also namespace: "*")',
    INTENTIONS,
    'every caller in Consul service mesh has an mTLS identity (its service name), so the wildcard source is every authenticated caller; a specific source of the same entry outranks it, so its deny operations are given to those sources too',
  ),
  'access.to.methods': full('ServiceIntentions sources[].permissions[].http.methods', INTENTIONS),
  'access.to.paths': full(
    'ServiceIntentions sources[].permissions[].http.{pathExact | pathPrefix (for /x/*) | pathRegex (for *suffix)}',
    INTENTIONS,
  ),
  'access.to.headers': full(
    'ServiceIntentions sources[].permissions[].http.header[] {name, exact | prefix | present}',
    INTENTIONS,
  ),
  'access.to.headers.regex': full(
    'ServiceIntentions sources[].permissions[].http.header[].regex',
    INTENTIONS,
  ),
  'access.to.ports': none(
    'intentions authorize a caller for a whole service; a Consul service has one port and permissions match only path, method and headers',
    'register each port as its own Consul service and write one AccessPolicy per service',
    INTENTIONS,
  ),
  'access.from.ipBlock': none(
    'intentions name the calling service (its mTLS identity); Consul service mesh has no intention source by client address',
    'name the callers by namespace and serviceAccount, or restrict the network with a Kubernetes NetworkPolicy',
    INTENTIONS,
  ),
  ...consulBackendCells,
  'gateway.route': none(
    'Consul routes ingress traffic through its API gateway with Gateway API HTTPRoutes whose parent is the gateway (consul-k8s 1.2+), whose filters (RouteRetryFilter, RouteTimeoutFilter) and backends (Services, no subsets) differ from the config entries anymesh writes for the mesh; anymesh does not compile to the API gateway yet',
    'write the HTTPRoute for the API gateway by hand (parentRefs: the Gateway; backendRefs: the Services), and keep this policy without spec.gateway for the calls inside the mesh',
    'https://developer.hashicorp.com/consul/docs/connect/gateways/api-gateway',
  ),
  'gateway.hostnames': none(
    'anymesh does not compile ingress routes for Consul yet (gateway.route)',
    'set HTTPRoute spec.hostnames on the API gateway route you write',
    'https://developer.hashicorp.com/consul/docs/connect/gateways/api-gateway',
  ),
  'gateway.port': none(
    'anymesh does not compile ingress routes for Consul yet (gateway.route)',
    'set the listener in parentRefs[].sectionName or port on the API gateway route you write',
    'https://developer.hashicorp.com/consul/docs/connect/gateways/api-gateway',
  ),
  ...consulProtocolCells,
};

/**
 * The column under Consul Enterprise (`consul.enterprise=true`): Consul namespaces mirror the
 * Kubernetes ones, so a whole namespace of callers can be named.
 */
export const consulEnterpriseCapabilities: CapabilityColumn = {
  ...consulCapabilities,
  'access.from.namespace': {
    support: 'full',
    reason: 'with Consul Enterprise, Consul namespaces mirror Kubernetes namespaces',
    native: 'ServiceIntentions sources[].{name: "*", namespace}',
    docs: INTENTIONS,
    minVersion: MIN,
  },
  ...consulEnterpriseBackendCells,
};
