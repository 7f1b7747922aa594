/**
 * Consul adapter diagnostics, codes AM4300-AM4399. Tests assert the codes; the templates say what is
 * wrong and what would be right.
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const consulMessages = {
  BadOption: m('AM4301', 'error', 'ConsulBadOption', 'option {option}={got} is not valid; use {expected}'),
  ServiceMeta: m(
    'AM4302',
    'info',
    'ConsulServiceMeta',
    'versions of {service} are ServiceResolver subsets filtered on Consul service metadata: give the pods of each version the annotations {annotations} (consul-k8s copies consul.hashicorp.com/service-meta-<key> pod annotations into Service.Meta); pod labels alone are not seen by Consul',
  ),
  MetaKey: m(
    'AM4303',
    'error',
    'ConsulMetaKey',
    'label key {key} of version {version} cannot be a Consul service metadata key (only letters, digits, _ and -, and not starting with the reserved consul- prefix); name the version by a plain label key such as version',
  ),
  NamespaceCollision: m(
    'AM4304',
    'error',
    'ConsulNamespaceCollision',
    '{kind} {name} would be written by {ref} and by {other} (namespace {otherNamespace}, {where}): Consul Community Edition has one namespace, so both Kubernetes namespaces map to the same config entry and consul-k8s refuses the second ("config entry already exists"). Keep one policy per Consul service name, rename one service, or set consul.enterprise=true if you run Consul Enterprise with namespace mirroring',
  ),
  ServiceIdentity: m(
    'AM4305',
    'info',
    'ConsulServiceIdentity',
    'Consul identifies callers by service name, not by service account: {accounts} are used as Consul service names. consul-k8s registers pods under their Kubernetes Service name and, with ACLs on, requires the service account to carry that same name; make sure it does',
  ),
  NamespaceNeedsEnterprise: m(
    'AM4306',
    'error',
    'ConsulNamespaceNeedsEnterprise',
    'a caller given only by namespace ({namespace}) needs Consul Enterprise namespaces; Consul Community Edition has one namespace, where it would mean every service in the mesh. Name the calling services (serviceAccount), or set consul.enterprise=true if you run Consul Enterprise with namespace mirroring',
  ),
  PermissiveMesh: m(
    'AM4307',
    'info',
    'ConsulPermissiveMesh',
    'permissive mTLS for {what}: anymesh also writes the Mesh entry (metadata.name mesh, namespace {namespace}) with allowEnablingPermissiveMutualTLS: true, a mesh-wide switch that Consul requires before any service may be permissive. Permissive mode only works with transparent proxy, and intentions are NOT enforced on plaintext connections',
  ),
  DefaultRetryOn: m(
    'AM4308',
    'info',
    'ConsulDefaultRetryOn',
    'retries without retryOn: Consul then gives Envoy an empty retry_on, which retries nothing, so anymesh retries on connect-failure and refused-stream (requests the service never saw); list retryOn to choose other conditions',
  ),
  L7Protocol: m(
    'AM4309',
    'info',
    'ConsulHttpProtocol',
    'Consul accepts routers, splitters, subsets and L7 intentions only for HTTP services, so anymesh writes ServiceDefaults {services} with protocol: http; do not use these policies for TCP or gRPC-only services',
  ),
} as const satisfies Record<string, MessageType>;

export type ConsulMessage = keyof typeof consulMessages;
