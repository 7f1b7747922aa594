/**
 * App Mesh diagnostics, codes AM4400-AM4499. Each says what is wrong and what would be right;
 * tests check codes, never wording.
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const APPMESH_MESSAGES = {
  PortRequired: m(
    'AM4401',
    'error',
    'AppMeshPortRequired',
    'App Mesh needs spec.port for {service}: virtual node and virtual router listeners are declared per port (listeners[].portMapping.port); set spec.port to the port the pods of {service} serve',
    {
      description:
        'App Mesh declares virtual node and virtual router listeners per port (listeners[].portMapping.port), and the policy names none.',
      fix: 'Set spec.port to the port the pods of the service serve.',
      example: 'a TrafficPolicy for reviews without spec.port, compiled for App Mesh',
    },
  ),
  TooManyTargets: m(
    'AM4402',
    'error',
    'AppMeshTooManyTargets',
    'this rule has {count} backends; an App Mesh route takes 1 to 10 weighted targets (weightedTargets); split the traffic in at most 10 backends',
    {
      description: 'An App Mesh route takes 1 to 10 weighted targets, and this rule has more backends.',
      fix: 'Split the traffic between at most 10 backends.',
      example: 'a rule with 11 weighted backends',
    },
  ),
  RetryPerTryDefaulted: m(
    'AM4403',
    'info',
    'AppMeshPerRetryTimeoutDefaulted',
    'App Mesh requires perRetryTimeout in a retry policy; none given, so anymesh sets {value} ({why}); set retries.perTryTimeout to choose another',
    {
      description:
        'App Mesh requires perRetryTimeout in every retry policy, and the policy gives no per-try timeout, so anymesh sets one.',
      fix: 'Set retries.perTryTimeout to choose another.',
      example: '`retries: {attempts: 3}` compiled for App Mesh',
    },
  ),
  RetryEventsDefaulted: m(
    'AM4404',
    'info',
    'AppMeshRetryEventsDefaulted',
    'App Mesh retries only on listed events; retryOn not given, so anymesh sets httpRetryEvents [gateway-error] and tcpRetryEvents [connection-error] (502/503/504, resets and failed connections); set retries.retryOn to choose others',
    {
      description:
        'App Mesh retries only on the events listed, and the policy lists none, so anymesh sets gateway errors and connection errors.',
      fix: 'Set retries.retryOn to choose other conditions.',
      example: '`retries: {attempts: 3}` without retryOn',
    },
  ),
  RetryConditionUnmapped: m(
    'AM4405',
    'error',
    'AppMeshRetryConditionUnmapped',
    'App Mesh cannot retry on {got} alone: {why}',
    {
      description:
        'A retry condition has no App Mesh retry event of the same meaning, and no other condition of the rule covers it.',
      fix: 'Use conditions App Mesh has (gateway-error, 5xx, reset, connect-failure, status codes), or drop retries for App Mesh.',
      example: '`retryOn: [retriable-4xx]`',
    },
  ),
  VersionsNeedBackends: m(
    'AM4406',
    'error',
    'AppMeshVersionsNeedBackends',
    'with spec.versions, App Mesh routes only to the virtual nodes of versions, and a pod may belong to one virtual node only; give this rule backends (e.g. [{version: {first}}]) instead of relying on the default "the whole service"',
    {
      description:
        'With spec.versions, App Mesh routes only to the virtual nodes of versions, and a pod belongs to one virtual node; a rule without backends would mean the whole service, which has no node of its own.',
      fix: 'Give the rule backends naming versions.',
      example: 'a rule with a header match and no backends, in a policy with versions v1 and v2',
    },
  ),
  ValueTooLong: m(
    'AM4407',
    'error',
    'AppMeshValueTooLong',
    '{what} is {length} characters; App Mesh accepts at most {max}',
    {
      description: 'A value (a header value, a path, a prefix) is longer than the App Mesh API accepts.',
      fix: 'Shorten it to the limit named.',
      example: 'an exact header match of 300 characters',
    },
  ),
  TooManyConditions: m(
    'AM4408',
    'error',
    'AppMeshTooManyConditions',
    'this match has {count} {what} conditions; an App Mesh route matches at most 10; split the rule',
    {
      description:
        'An App Mesh route match takes at most 10 header or query conditions, and this match has more.',
      fix: 'Split the rule into several rules.',
      example: 'a match with 11 header conditions',
    },
  ),
  TooManyRoutes: m(
    'AM4409',
    'error',
    'AppMeshTooManyRoutes',
    'the routes of {service} need priorities up to {count}; App Mesh route priority goes from 0 to 1000; use fewer rules or match entries',
    {
      description:
        'Each rule and match entry becomes an App Mesh route with a priority from 0 to 1000, and the policy needs more.',
      fix: 'Use fewer rules or match entries.',
      example: 'a generated policy with 1,200 match entries',
    },
  ),
  OtherServiceNode: m(
    'AM4410',
    'warning',
    'AppMeshOtherServiceNode',
    'App Mesh routes to virtual nodes, not to virtual services: this backend targets VirtualNode {node} in {namespace}, which anymesh does not generate in this compile; create it (the VirtualNode of {service}), else App Mesh rejects the route',
    {
      description:
        'A backend names another service; App Mesh routes to virtual nodes, and this compile does not generate the VirtualNode of that service.',
      fix: 'Create the VirtualNode of that service (or compile its TrafficPolicy too), else App Mesh rejects the route.',
      example: '`backends: [{service: ratings}]` without a policy for ratings in the same compile',
    },
  ),
  OtherServiceHasVersions: m(
    'AM4411',
    'error',
    'AppMeshOtherServiceHasVersions',
    '{service} has versions in {policy}, so it has no single VirtualNode {node} to route to; route to {service} through its own policy, or give no versions there',
    {
      description:
        'A backend names another service that has versions in its own policy, so it has no single VirtualNode to route to.',
      fix: 'Route to that service through its own policy, or give it no versions there.',
      example: '`backends: [{service: ratings}]` where ratings has versions v1 and v2',
    },
  ),
  NoBackendsDeclared: m(
    'AM4412',
    'info',
    'AppMeshNoBackends',
    'the VirtualNodes of {service} list no backends: App Mesh lets a virtual node call only the virtual services in its backends (the mesh egress filter drops the rest), so {service} cannot call other mesh services; set --option appmesh.backends.{namespace}.{service}=<svc>[.<namespace>],...',
    {
      description:
        'App Mesh lets a virtual node call only the virtual services in its backends; the generated VirtualNodes list none, so the service cannot call other mesh services.',
      fix: 'Set --option appmesh.backends.<namespace>.<service>=<svc>[.<namespace>],... with the services it calls.',
      example: 'a TrafficPolicy for productpage compiled without appmesh.backends options',
    },
  ),
  UnknownOption: m('AM4413', 'error', 'AppMeshBadOption', 'option {key}={value} is not valid: {why}', {
    description:
      'An adapter option (--option appmesh.*, or a policy annotation of the same key) is unknown or has a value it cannot use.',
    fix: 'Use an option and value as the message says (`anymesh capabilities --mesh appmesh -o json` lists them).',
    example: '`--option appmesh.tls.certificate=vault`',
  }),
  TlsSourceMissing: m(
    'AM4414',
    'error',
    'AppMeshTlsCertificateMissing',
    'App Mesh TLS needs a certificate source and anymesh has none for {what}: {why}. Set --option appmesh.tls.certificate=file (with appmesh.tls.certificateChain, appmesh.tls.privateKey, appmesh.tls.trustChain), =sds (with appmesh.tls.sdsSecretName; SPIRE) or =acm (with appmesh.tls.acmCertificateArn, appmesh.tls.acmCertificateAuthorityArns), or the same keys as annotations on the policy',
    {
      description:
        'App Mesh TLS needs a certificate source (files, SDS or ACM) for listeners and clients, and no option names one.',
      fix: 'Set appmesh.tls.certificate and the keys it needs, as options or policy annotations.',
      example: 'a strict MTLSPolicy compiled for App Mesh without appmesh.tls options',
    },
  ),
  NoVirtualNode: m(
    'AM4415',
    'error',
    'AppMeshNoVirtualNode',
    '{what} applies to the listeners of virtual nodes, and anymesh generates no VirtualNode for {target} in this compile (it needs a TrafficPolicy with spec.port for the service); compile this policy together with one, or nothing would be enforced',
    {
      description:
        'mTLS, access and backend policies apply to the listeners of virtual nodes, and this compile generates no VirtualNode for the target, so nothing would be enforced.',
      fix: 'Compile the policy together with a TrafficPolicy (with spec.port) for the service.',
      example: 'an AccessPolicy for reviews compiled alone',
    },
  ),
  AcmOneWayTls: m(
    'AM4416',
    'warning',
    'AppMeshAcmOneWayTls',
    'with ACM certificates App Mesh TLS is one-way: servers present ACM certificates and clients validate them, but ACM cannot issue client certificates, so callers are not authenticated (no mutual TLS); use appmesh.tls.certificate=sds or file for mutual TLS',
    {
      description:
        'ACM cannot issue client certificates, so with ACM certificates App Mesh TLS is one-way: callers are not authenticated.',
      fix: 'Use appmesh.tls.certificate=sds or file for mutual TLS.',
      example: 'a strict MTLSPolicy with appmesh.tls.certificate=acm',
    },
  ),
  AccessNeedsIdentity: m(
    'AM4417',
    'error',
    'AppMeshAccessNeedsServiceAccount',
    'App Mesh checks callers by the exact subject alternative names of their certificates, so a caller is one workload identity: give serviceAccount (a namespace alone would need a prefix match, which App Mesh lacks)',
    {
      description:
        'App Mesh checks callers by exact subject alternative names of their certificates, so a caller is one workload identity; a namespace alone would need a prefix match.',
      fix: 'Give serviceAccount for each caller.',
      example: 'an AccessPolicy with `from: [{namespace: frontend}]`, compiled for App Mesh',
    },
  ),
  AccessNeedsMutualTls: m(
    'AM4418',
    'error',
    'AppMeshAccessNeedsMutualTls',
    'an allow-list for {service} is enforced by validating client certificates on its listener, {why}',
    {
      description:
        'An App Mesh allow-list is enforced by validating client certificates on the listener, which needs mutual TLS for the service.',
      fix: 'Add a strict MTLSPolicy for the service with a certificate source that issues client certificates (SDS or file).',
      example: 'an AccessPolicy for reviews without an MTLSPolicy, compiled for App Mesh',
    },
  ),
  ClientTlsNotGenerated: m(
    'AM4419',
    'info',
    'AppMeshClientTlsScope',
    'anymesh sets client TLS (backends[].virtualService.clientPolicy.tls) only on the VirtualNodes it generates; other callers of {service} must originate TLS themselves{strict}',
    {
      description:
        'anymesh sets client TLS only on the VirtualNodes it generates; other callers of the service must originate TLS themselves.',
      fix: 'Configure client TLS on the VirtualNodes anymesh does not generate.',
      example: 'a strict MTLSPolicy for reviews whose callers are not compiled with it',
    },
  ),
  VersionHostname: m(
    'AM4420',
    'info',
    'AppMeshVersionHostname',
    'the VirtualNode of version {version} finds its pods through DNS name {hostname}; a Kubernetes Service {name} selecting {labels} must exist (the Service {service} spans every version, so it cannot tell them apart)',
    {
      description:
        'The VirtualNode of a version finds its pods through a DNS name, which needs a Kubernetes Service selecting only that version.',
      fix: 'Make sure the Service named exists (anymesh generates it unless told otherwise).',
      example: 'a TrafficPolicy for reviews with version v2',
    },
  ),
  TimeoutAboveDefault: m(
    'AM4421',
    'info',
    'AppMeshTimeoutAboveDefault',
    "timeout {timeout} is above App Mesh's 15s default: anymesh raises the listener timeout of the target VirtualNodes too; AWS asks for the same on the calling VirtualNodes it does not generate",
    {
      description:
        "A timeout above App Mesh's 15s default also needs the listener timeouts raised; anymesh raises them on the target VirtualNodes, but AWS asks for the same on calling VirtualNodes.",
      fix: 'Raise the listener timeout on the calling VirtualNodes anymesh does not generate.',
      example: '`timeout: 30s`',
    },
  ),
  VersionService: m(
    'AM4422',
    'info',
    'AppMeshVersionService',
    'version {version} gets its own Service {name} (selecting {labels}) so that its VirtualNode finds exactly its pods by DNS ({hostname}); it forwards port {port} to the same container port, as the VirtualNode listener assumes',
    {
      description:
        'Each version gets its own Kubernetes Service so that its VirtualNode finds exactly its pods by DNS; it forwards spec.port to the same container port.',
      fix: 'Nothing, when the pods serve on spec.port; otherwise edit the Service.',
      example: 'a TrafficPolicy for reviews with versions v1 and v2',
    },
  ),
  NameTooLong: m(
    'AM4423',
    'error',
    'AppMeshNameTooLong',
    'the {what} name {name} is {length} characters; Kubernetes allows at most {limit}; shorten the service or version name',
    {
      description:
        'A generated Kubernetes name (a version Service, a VirtualNode) is longer than Kubernetes allows.',
      fix: 'Shorten the service or version name.',
      example: 'a version name of 60 characters on a long service name',
    },
  ),
  ClientsNeedBackend: m(
    'AM4424',
    'info',
    'AppMeshClientsNeedBackend',
    "App Mesh routes are applied by the caller's Envoy: a client reaches {host} through this router only if its VirtualNode lists VirtualService {service} (namespace {namespace}) in spec.backends (for VirtualNodes anymesh generates: --option appmesh.backends.<namespace>.<caller>={service}.{namespace})",
    {
      description:
        "App Mesh routes are applied by the caller's Envoy, so a client reaches the service through this router only if its VirtualNode lists the VirtualService as a backend.",
      fix: 'List the VirtualService in the backends of each calling VirtualNode (--option appmesh.backends.* for the generated ones).',
      example: 'a TrafficPolicy for reviews, called by productpage',
    },
  ),
  AccessPortMismatch: m(
    'AM4425',
    'error',
    'AppMeshAccessPortMismatch',
    'this allow-list is for ports {ports}, but the VirtualNodes of {service} listen on {port} only (spec.port of its TrafficPolicy) and App Mesh checks callers per listener; list port {port}, or leave ports out',
    {
      description:
        'The allow-list names ports the VirtualNodes of the service do not listen on, and App Mesh checks callers per listener.',
      fix: 'List spec.port of the TrafficPolicy of the service, or leave ports out.',
      example: 'an AccessPolicy for reviews with ports [8080] when reviews listens on 9080',
    },
  ),
  OneRouterPerService: m(
    'AM4426',
    'error',
    'AppMeshOneRouterPerService',
    '{policy} and {other} (at {where}) both route calls to {service}; App Mesh has one virtual router per virtual service. Merge their rules into one policy',
    {
      description:
        'Two TrafficPolicies route calls to the same service; App Mesh has one virtual router per virtual service, so the two would compete for its routes.',
      fix: 'Merge their rules into one policy.',
      example: 'TrafficPolicies reviews-canary and reviews-timeouts, both for service reviews',
    },
  ),
  BackendPortMismatch: m(
    'AM4427',
    'error',
    'AppMeshBackendPortMismatch',
    'these backend settings are for port {port}, but the VirtualNodes of {service} listen on {listener} only (spec.port of its TrafficPolicy), and App Mesh sets them per listener; give port {listener}, or leave port out',
    {
      description:
        'A BackendPolicy names a port the VirtualNodes of the service do not listen on; App Mesh sets outlier detection and connection pools per listener.',
      fix: 'Give spec.port of the TrafficPolicy of the service, or leave port out.',
      example: 'a BackendPolicy for reviews with port 8080 when reviews listens on 9080',
    },
  ),
  ImportNoNeutralForm: m('AM4460', 'warning', 'AppMeshImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'An App Mesh field has no form in the neutral model (access logs, HTTP idle timeouts, header suffix or range matches, listener settings of one version only ...), so the import leaves it out and says so. `--strict` makes it an error.',
    fix: 'Keep the field in a native overlay for App Mesh, or express it in the target mesh directly, or drop it knowingly.',
    example: 'a VirtualNode with `logging: {accessLog: {file: {path: /dev/stdout}}}`',
  }),
  ImportMeaningChanges: m(
    'AM4461',
    'warning',
    'AppMeshImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'An App Mesh field was imported into the closest neutral form, which behaves differently in a way the message names (e.g. relative weights rescaled to percentages, an HTTP/2 or gRPC listener governed as HTTP). `--strict` makes it an error.',
      fix: 'Review the imported policy; change the native object or the imported policy so both mean the same.',
      example: 'weightedTargets with weights 1 and 2 (33.3% and 66.7%, imported as 33 and 67)',
    },
  ),
  ImportCloudOnly: m(
    'AM4462',
    'warning',
    'AppMeshImportCloudOnly',
    'not imported: {what} is App Mesh cloud configuration ({why}); no other mesh has it',
    {
      description:
        'A field that only means something to the App Mesh cloud API or to other AWS services (Cloud Map service discovery, ACM certificates, resource ARNs, mesh owners, App Mesh resource names) has no neutral form. `--strict` makes it an error.',
      fix: 'Replace it in the target mesh: Kubernetes Services instead of Cloud Map, the mesh CA or cert-manager instead of ACM.',
      example: 'a VirtualNode with `serviceDiscovery.awsCloudMap`',
    },
  ),
  ImportBackendsNotAccess: m(
    'AM4463',
    'warning',
    'AppMeshImportBackendsNotAccess',
    "not imported: backends lists what the pods of {node} may call ({targets}); the caller's Envoy enforces it (with the mesh egress filter DROP_ALL), while a neutral AccessPolicy is checked by the called service and names callers by service account, which a VirtualNode does not say. No AccessPolicy is made from it{option}",
    {
      description:
        "A VirtualNode's backends are an egress allow-list of the caller (which virtual services its Envoy knows, with DROP_ALL the only ones it reaches), not an authorization rule of the called service. Turning it into AccessPolicies would deny every caller anymesh does not see and needs service accounts the VirtualNode does not name, so it is reported instead.",
      fix: "Write AccessPolicies for the services that must refuse other callers (naming the callers' service accounts); for App Mesh itself, `--option appmesh.backends.<namespace>.<service>=...` reproduces the list.",
      example: 'a VirtualNode front with `backends: [{virtualService: {virtualServiceRef: {name: color}}}]`',
    },
  ),
  ImportIngress: m(
    'AM4464',
    'warning',
    'AppMeshImportIngress',
    "not imported: {what} is the ingress gateway itself ({why}): its listeners, TLS and logging are the target mesh's gateway deployment, not policy; its GatewayRoutes are imported as policies bound to it (spec.gateway)",
    {
      description:
        "A VirtualGateway is an Envoy deployment at the mesh's edge: listeners, TLS certificates, connection pools and access logs, which no neutral policy describes (as no policy describes an Istio Gateway or a Gateway API Gateway). The GatewayRoutes bound to it are imported as TrafficPolicies with spec.gateway naming it.",
      fix: "Create the target mesh's gateway under the same name (an Istio Gateway, or a Gateway API Gateway for ambient) listening on the same ports; the imported policies bind their routes to it.",
      example: 'a VirtualGateway listening on 8088 with a TLS certificate from ACM',
    },
  ),
  ImportAdapterOption: m(
    'AM4465',
    'info',
    'AppMeshImportAdapterOption',
    'imported; {what} is an App Mesh compile option, not a policy field: to compile these policies back to App Mesh the same way, pass --option {option}',
    {
      description:
        'A native value that anymesh writes from an App Mesh option (the DNS name of a version, the SPIFFE ID pattern, certificate sources) rather than from a policy field. The policy means the same; the note gives the option that reproduces the native objects.',
      fix: 'Nothing for other meshes; pass the option when compiling back to App Mesh.',
      example: 'a version VirtualNode whose DNS name is `color-red.demo.svc.cluster.local`',
    },
  ),
  ImportRouteOrder: m(
    'AM4466',
    'warning',
    'AppMeshImportRouteOrder',
    'imported, but the order may change: {how}',
    {
      description:
        'App Mesh matches routes by ascending priority; routes without one (or with equal priorities) are matched in an order the API does not define, while neutral rules are tried in order, first match wins. The import keeps the file order for them.',
      fix: 'Give every route a distinct priority, or review the rule order of the imported policy.',
      example: 'two routes of a VirtualRouter without priority',
    },
  ),
  ImportRuleRenamed: m(
    'AM4467',
    'info',
    'AppMeshImportRuleRenamed',
    'route name {name} is not a DNS-1123 label, so the rule takes the default name {rule}',
    {
      description:
        'Neutral rule names are DNS-1123 labels; an App Mesh route name that is not one is replaced by the default name. Names do not change routing.',
      fix: 'Nothing; rename the route if the name matters to you.',
      example: '`routes: [{name: Color_Route, ...}]`',
    },
  ),
  ImportNodeWithoutRoutes: m(
    'AM4468',
    'info',
    'AppMeshImportNodeWithoutRoutes',
    'no VirtualService in the input routes to VirtualNode {node}; its DNS name makes it the workload of Service {service}, so its listener TLS and backend settings are imported for that Service, and no TrafficPolicy is made (callers reach it from outside the mesh, through a gateway, or by a VirtualService not in the input)',
    {
      description:
        'A VirtualNode no VirtualService of the input sends to (a front end behind a gateway, a client-only workload). Its DNS name names a Kubernetes Service, so what it says about that Service (mutual TLS, allowed callers, outlier detection, connection pools) is imported; there are no routes to import.',
      fix: 'Nothing; import the VirtualService that reaches it too if there is one.',
      example:
        'a VirtualNode front with hostname front.demo.svc.cluster.local, reached only by a GatewayRoute',
    },
  ),
  HealthCheckOutOfRange: m(
    'AM4471',
    'error',
    'AppMeshHealthCheckOutOfRange',
    'App Mesh takes a health check {field} of {range} only (HealthCheckPolicy); {got} is outside it, so the BackendPolicy is left out of the VirtualNodes',
    {
      description:
        "A BackendPolicy healthCheck value App Mesh's HealthCheckPolicy does not accept: interval 5s to 300s, timeout 2s to 60s, thresholds 2 to 10, and the port of the node's listener only.",
      fix: 'Give a value in the range App Mesh takes, or leave healthCheck out for App Mesh and rely on readiness probes.',
      example:
        '`healthCheck: {protocol: http, path: /healthz, interval: 1s, timeout: 2s, healthyThreshold: 2, unhealthyThreshold: 2}`',
    },
  ),
  PoolFieldNotOnListener: m(
    'AM4472',
    'error',
    'AppMeshPoolFieldNotOnListener',
    "App Mesh has no {field} on the {protocol} listener of {service} (connectionPool.{protocol} holds {holds}; the listener protocol is the spec.protocol of the service's TrafficPolicy, http without one)",
    {
      description:
        "A BackendPolicy connection limit the App Mesh connection pool of the service's listener protocol does not have: a listener takes only the pool of its own protocol (VirtualNodeConnectionPool: tcp {maxConnections}, http {maxConnections, maxPendingRequests}, http2 and grpc {maxRequests}).",
      fix: "Leave the limit out for App Mesh, or use the limit the listener's protocol has (maxRequests on http2 and grpc listeners, maxConnections on http and tcp listeners).",
      example:
        '`connectionLimits: {maxConnections: 100}` for a service whose TrafficPolicy has protocol grpc',
    },
  ),
  GrpcMethodNeedsService: m(
    'AM4440',
    'error',
    'AppMeshGrpcMethodNeedsService',
    'App Mesh matches a gRPC method only with its service (grpcRoute.match.methodName needs serviceName); name the service of {method} here',
    {
      description:
        'A gRPC match names a method without its service; App Mesh requires serviceName whenever methodName is given (GrpcRouteMatch).',
      fix: 'Add grpc.service (the package-qualified service of the method).',
      example: '`matches: [{grpc: {method: AddItem}}]` compiled for App Mesh',
    },
  ),
} as const satisfies Record<string, MessageType>;

export type AppMeshMessage = keyof typeof APPMESH_MESSAGES;
