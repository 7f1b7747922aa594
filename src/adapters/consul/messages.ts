/**
 * Consul adapter diagnostics, codes AM4300-AM4399. Tests assert the codes; the templates say what is
 * wrong and what would be right.
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const consulMessages = {
  BadOption: m('AM4301', 'error', 'ConsulBadOption', 'option {option}={got} is not valid; use {expected}', {
    description:
      'An adapter option (--option consul.*, --consul-format, --consul-enterprise) has a value the Consul adapter does not accept.',
    fix: 'Use one of the values named.',
    example: '`--option consul.format=hcl`',
  }),
  ServiceMeta: m(
    'AM4302',
    'info',
    'ConsulServiceMeta',
    'versions of {service} are ServiceResolver subsets filtered on Consul service metadata: give the pods of each version the annotations {annotations} (consul-k8s copies consul.hashicorp.com/service-meta-<key> pod annotations into Service.Meta); pod labels alone are not seen by Consul',
    {
      description:
        'Consul selects the pods of a version by service metadata (ServiceResolver subsets filter on Service.Meta), not by pod labels.',
      fix: 'Give the pods of each version the pod annotations named; consul-k8s copies them into Service.Meta.',
      example: 'a TrafficPolicy for reviews with versions v1 and v2, compiled for Consul',
    },
  ),
  MetaKey: m(
    'AM4303',
    'error',
    'ConsulMetaKey',
    'label key {key} of version {version} cannot be a Consul service metadata key (only letters, digits, _ and -, and not starting with the reserved consul- prefix); name the version by a plain label key such as version',
    {
      description:
        'A version label key becomes a Consul service metadata key, which allows only letters, digits, _ and -, and may not start with consul- (reserved: Consul refuses to register such metadata).',
      fix: 'Name the version by a plain label key such as version.',
      example: '`versions: {v1: {app.kubernetes.io/version: v1}}`',
    },
  ),
  NamespaceCollision: m(
    'AM4304',
    'error',
    'ConsulNamespaceCollision',
    '{kind} {name} would be written by {ref} and by {other} (namespace {otherNamespace}, {where}): Consul Community Edition has one namespace, so both Kubernetes namespaces map to the same config entry and consul-k8s refuses the second ("config entry already exists"). Keep one policy per Consul service name, rename one service, or set consul.enterprise=true if you run Consul Enterprise with namespace mirroring',
    {
      description:
        'Consul Community Edition has one namespace, so two Kubernetes namespaces that hold policies for services of the same name map to the same config entry, and consul-k8s refuses the second.',
      fix: 'Keep one policy per Consul service name, rename one service, or set consul.enterprise=true with Consul Enterprise namespace mirroring.',
      example: 'TrafficPolicies for service web in namespaces shop and blog',
    },
  ),
  ServiceIdentity: m(
    'AM4305',
    'info',
    'ConsulServiceIdentity',
    'Consul identifies callers by service name, not by service account: {accounts} are used as Consul service names. consul-k8s registers pods under their Kubernetes Service name and, with ACLs on, requires the service account to carry that same name; make sure it does',
    {
      description:
        'Consul identifies callers by service name, not by Kubernetes service account, so service accounts in an AccessPolicy are used as Consul service names.',
      fix: 'Make sure each calling service account has the same name as its Kubernetes Service (consul-k8s requires it with ACLs on).',
      example: 'an AccessPolicy allowing `from: [{serviceAccount: productpage}]`',
    },
  ),
  NamespaceNeedsEnterprise: m(
    'AM4306',
    'error',
    'ConsulNamespaceNeedsEnterprise',
    'a caller given only by namespace ({namespace}) needs Consul Enterprise namespaces; Consul Community Edition has one namespace, where it would mean every service in the mesh. Name the calling services (serviceAccount), or set consul.enterprise=true if you run Consul Enterprise with namespace mirroring',
    {
      description:
        'A caller given only by namespace needs Consul Enterprise namespaces; in Community Edition it would mean every service of the mesh.',
      fix: 'Name the calling services (serviceAccount), or set consul.enterprise=true with Consul Enterprise namespace mirroring.',
      example:
        'an AccessPolicy allowing `from: [{namespace: frontend}]`, compiled for Consul Community Edition',
    },
  ),
  PermissiveMesh: m(
    'AM4307',
    'info',
    'ConsulPermissiveMesh',
    'permissive mTLS for {what}: anymesh also writes the Mesh entry (metadata.name mesh, namespace {namespace}) with allowEnablingPermissiveMutualTLS: true, a mesh-wide switch that Consul requires before any service may be permissive. Permissive mode only works with transparent proxy, and intentions are NOT enforced on plaintext connections',
    {
      description:
        'A permissive MTLSPolicy needs the mesh-wide Mesh entry switch allowEnablingPermissiveMutualTLS, which anymesh writes too; intentions are not enforced on plaintext connections.',
      fix: 'Nothing, if a mesh-wide switch is acceptable; move to strict mTLS when every caller is meshed.',
      example: 'an MTLSPolicy with mode permissive, compiled for Consul',
    },
  ),
  DefaultRetryOn: m(
    'AM4308',
    'info',
    'ConsulDefaultRetryOn',
    'retries without retryOn: Consul then gives Envoy an empty retry_on, which retries nothing, so anymesh retries on connect-failure and refused-stream (requests the service never saw); list retryOn to choose other conditions',
    {
      description:
        'Consul gives Envoy an empty retry_on when no condition is listed, which retries nothing, so anymesh picks connect-failure and refused-stream.',
      fix: 'List retryOn to choose other conditions.',
      example: '`retries: {attempts: 3}` without retryOn',
    },
  ),
  L7Protocol: m(
    'AM4309',
    'info',
    'ConsulHttpProtocol',
    'Consul accepts routers, splitters, subsets and L7 intentions only for HTTP services, so anymesh writes ServiceDefaults {services} with protocol: http; do not use these policies for TCP or gRPC-only services',
    {
      description:
        'Consul accepts routers, splitters, subsets and L7 intentions only for services whose protocol is HTTP, so anymesh writes ServiceDefaults with protocol http.',
      fix: 'Do not use these policies for TCP or gRPC-only services.',
      example: 'a TrafficPolicy with a header match for reviews, compiled for Consul',
    },
  ),
  OneRouterPerService: m(
    'AM4310',
    'error',
    'ConsulOneRouterPerService',
    '{policy} and {other} (at {where}) both route calls to {service}; Consul has one ServiceRouter per service. Merge their rules into one policy',
    {
      description:
        'Two TrafficPolicies route calls to the same service; Consul has one ServiceRouter (and one splitter) per service and no caller or port scoping, so the two would compete.',
      fix: 'Merge their rules into one policy.',
      example: 'TrafficPolicies reviews-canary and reviews-timeouts, both for service reviews',
    },
  ),
  ImportNoNeutralForm: m('AM4360', 'warning', 'ConsulImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'A Consul config entry field has no form in the neutral model (resolver failover and redirects to other datacenters, prefixRewrite, inverted header matches, JWT conditions, proxy modes ...), so the import leaves it out and says so. `--strict` makes it an error.',
    fix: 'Keep the field in a native entry applied next to the compiled objects, or drop it knowingly.',
    example: 'a ServiceResolver with `failover: {"*": {targets: [{datacenter: dc2}]}}`',
  }),
  ImportMeaningChanges: m(
    'AM4361',
    'warning',
    'ConsulImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'A Consul field was imported into the closest neutral form, which behaves differently in the way the message names (a resolver defaultSubset becomes explicit routes, intentions without a closing deny fall to the ACL default, retries without conditions retry nothing ...). `--strict` makes it an error.',
      fix: 'Review the imported policy; change the native entry or the imported policy so both mean the same.',
      example: 'a ServiceIntentions source with allow permissions and no closing deny',
    },
  ),
  ImportHclSyntax: m('AM4363', 'error', 'ConsulImportHclSyntax', 'HCL syntax error: {reason}', {
    description:
      'A `consul config write` file in HCL (by its .hcl name, or a text that starts with `Key =` or `key {`) does not parse as HCL 1, the language Consul reads config entries in; nothing of the file is imported.',
    fix: 'Correct the file at the line and column given (`consul config write` refuses it the same way), or give the entry as JSON or as a consul-k8s CRD.',
    example: 'a string that is never closed: `Name = "web`',
  }),
  ImportServiceIdentity: m(
    'AM4362',
    'info',
    'ConsulImportServiceIdentity',
    "Consul names callers by service: intention sources {names} are imported as the service accounts of the same name (consul-k8s requires a pod's service account to carry its service name with ACLs on)",
    {
      description:
        'Consul intentions name calling services; neutral AccessPolicies name service accounts. The import uses the Consul service name as the service account, the mapping consul-k8s enforces with ACLs on (and the one the Consul compile uses the other way).',
      fix: 'Nothing, if each calling service runs under a service account of its own name; otherwise correct `from` in the imported policy.',
      example: 'a ServiceIntentions source `{name: web, action: allow}`',
    },
  ),
  GrpcProtocol: m(
    'AM4340',
    'info',
    'ConsulGrpcProtocol',
    'the policy says its calls are gRPC, so anymesh writes ServiceDefaults {services} with protocol: grpc (Consul then routes them as HTTP/2 and matches gRPC services and methods on their paths /<service>/<method>); every service of a discovery chain needs the same protocol, so do not route these services from HTTP/1.1 callers',
    {
      description:
        'A TrafficPolicy with protocol grpc makes its service, the services its rules send to and the split services anymesh adds gRPC services in Consul.',
      fix: 'Nothing, if the service serves gRPC; otherwise drop spec.protocol: grpc.',
      example: 'a TrafficPolicy with protocol grpc for inventory, compiled for Consul',
    },
  ),
  Http2Protocol: m(
    'AM4364',
    'info',
    'ConsulHttp2Protocol',
    'the policy says its calls are HTTP/2, so anymesh writes ServiceDefaults {services} with protocol: http2 (Consul then speaks HTTP/2 in cleartext to the service and routes its requests as HTTP); every service of a discovery chain needs the same protocol, so the services it sends to must serve HTTP/2 too',
    {
      description:
        'A TrafficPolicy with protocol http2 makes its service, the services its rules send to and the split services anymesh adds http2 services in Consul.',
      fix: 'Nothing, if the service serves HTTP/2 in cleartext (h2c); otherwise use protocol http.',
      example: 'a TrafficPolicy with protocol http2 for catalog, compiled for Consul',
    },
  ),
} as const satisfies Record<string, MessageType>;

export type ConsulMessage = keyof typeof consulMessages;
