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
  ),
  TooManyTargets: m(
    'AM4402',
    'error',
    'AppMeshTooManyTargets',
    'this rule has {count} backends; an App Mesh route takes 1 to 10 weighted targets (weightedTargets); split the traffic in at most 10 backends',
  ),
  RetryPerTryDefaulted: m(
    'AM4403',
    'info',
    'AppMeshPerRetryTimeoutDefaulted',
    'App Mesh requires perRetryTimeout in a retry policy; none given, so anymesh sets {value} ({why}); set retries.perTryTimeout to choose another',
  ),
  RetryEventsDefaulted: m(
    'AM4404',
    'info',
    'AppMeshRetryEventsDefaulted',
    'App Mesh retries only on listed events; retryOn not given, so anymesh sets httpRetryEvents [gateway-error] and tcpRetryEvents [connection-error] (502/503/504, resets and failed connections); set retries.retryOn to choose others',
  ),
  RetryConditionUnmapped: m(
    'AM4405',
    'error',
    'AppMeshRetryConditionUnmapped',
    'App Mesh cannot retry on {got} alone: {why}',
  ),
  VersionsNeedBackends: m(
    'AM4406',
    'error',
    'AppMeshVersionsNeedBackends',
    'with spec.versions, App Mesh routes only to the virtual nodes of versions, and a pod may belong to one virtual node only; give this rule backends (e.g. [{version: {first}}]) instead of relying on the default "the whole service"',
  ),
  ValueTooLong: m(
    'AM4407',
    'error',
    'AppMeshValueTooLong',
    '{what} is {length} characters; App Mesh accepts at most {max}',
  ),
  TooManyConditions: m(
    'AM4408',
    'error',
    'AppMeshTooManyConditions',
    'this match has {count} {what} conditions; an App Mesh route matches at most 10; split the rule',
  ),
  TooManyRoutes: m(
    'AM4409',
    'error',
    'AppMeshTooManyRoutes',
    'the routes of {service} need priorities up to {count}; App Mesh route priority goes from 0 to 1000; use fewer rules or match entries',
  ),
  OtherServiceNode: m(
    'AM4410',
    'warning',
    'AppMeshOtherServiceNode',
    'App Mesh routes to virtual nodes, not to virtual services: this backend targets VirtualNode {node} in {namespace}, which anymesh does not generate in this compile; create it (the VirtualNode of {service}), else App Mesh rejects the route',
  ),
  OtherServiceHasVersions: m(
    'AM4411',
    'error',
    'AppMeshOtherServiceHasVersions',
    '{service} has versions in {policy}, so it has no single VirtualNode {node} to route to; route to {service} through its own policy, or give no versions there',
  ),
  NoBackendsDeclared: m(
    'AM4412',
    'info',
    'AppMeshNoBackends',
    'the VirtualNodes of {service} list no backends: App Mesh lets a virtual node call only the virtual services in its backends (the mesh egress filter drops the rest), so {service} cannot call other mesh services; set --option appmesh.backends.{namespace}.{service}=<svc>[.<namespace>],...',
  ),
  UnknownOption: m('AM4413', 'error', 'AppMeshBadOption', 'option {key}={value} is not valid: {why}'),
  TlsSourceMissing: m(
    'AM4414',
    'error',
    'AppMeshTlsCertificateMissing',
    'App Mesh TLS needs a certificate source and anymesh has none for {what}: {why}. Set --option appmesh.tls.certificate=file (with appmesh.tls.certificateChain, appmesh.tls.privateKey, appmesh.tls.trustChain), =sds (with appmesh.tls.sdsSecretName; SPIRE) or =acm (with appmesh.tls.acmCertificateArn, appmesh.tls.acmCertificateAuthorityArns), or the same keys as annotations on the policy',
  ),
  NoVirtualNode: m(
    'AM4415',
    'error',
    'AppMeshNoVirtualNode',
    '{what} applies to the listeners of virtual nodes, and anymesh generates no VirtualNode for {target} in this compile (it needs a TrafficPolicy with spec.port for the service); compile this policy together with one, or nothing would be enforced',
  ),
  AcmOneWayTls: m(
    'AM4416',
    'warning',
    'AppMeshAcmOneWayTls',
    'with ACM certificates App Mesh TLS is one-way: servers present ACM certificates and clients validate them, but ACM cannot issue client certificates, so callers are not authenticated (no mutual TLS); use appmesh.tls.certificate=sds or file for mutual TLS',
  ),
  AccessNeedsIdentity: m(
    'AM4417',
    'error',
    'AppMeshAccessNeedsServiceAccount',
    'App Mesh checks callers by the exact subject alternative names of their certificates, so a caller is one workload identity: give serviceAccount (a namespace alone would need a prefix match, which App Mesh lacks)',
  ),
  AccessNeedsMutualTls: m(
    'AM4418',
    'error',
    'AppMeshAccessNeedsMutualTls',
    'an allow-list for {service} is enforced by validating client certificates on its listener, {why}',
  ),
  ClientTlsNotGenerated: m(
    'AM4419',
    'info',
    'AppMeshClientTlsScope',
    'anymesh sets client TLS (backends[].virtualService.clientPolicy.tls) only on the VirtualNodes it generates; other callers of {service} must originate TLS themselves{strict}',
  ),
  VersionHostname: m(
    'AM4420',
    'info',
    'AppMeshVersionHostname',
    'the VirtualNode of version {version} finds its pods through DNS name {hostname}; a Kubernetes Service {name} selecting {labels} must exist (the Service {service} spans every version, so it cannot tell them apart)',
  ),
  TimeoutAboveDefault: m(
    'AM4421',
    'info',
    'AppMeshTimeoutAboveDefault',
    "timeout {timeout} is above App Mesh's 15s default: anymesh raises the listener timeout of the target VirtualNodes too; AWS asks for the same on the calling VirtualNodes it does not generate",
  ),
  VersionService: m(
    'AM4422',
    'info',
    'AppMeshVersionService',
    'version {version} gets its own Service {name} (selecting {labels}) so that its VirtualNode finds exactly its pods by DNS ({hostname}); it forwards port {port} to the same container port, as the VirtualNode listener assumes',
  ),
  NameTooLong: m(
    'AM4423',
    'error',
    'AppMeshNameTooLong',
    'the {what} name {name} is {length} characters; Kubernetes allows at most {limit}; shorten the service or version name',
  ),
  ClientsNeedBackend: m(
    'AM4424',
    'info',
    'AppMeshClientsNeedBackend',
    "App Mesh routes are applied by the caller's Envoy: a client reaches {host} through this router only if its VirtualNode lists VirtualService {service} (namespace {namespace}) in spec.backends (for VirtualNodes anymesh generates: --option appmesh.backends.<namespace>.<caller>={service}.{namespace})",
  ),
  AccessPortMismatch: m(
    'AM4425',
    'error',
    'AppMeshAccessPortMismatch',
    'this allow-list is for ports {ports}, but the VirtualNodes of {service} listen on {port} only (spec.port of its TrafficPolicy) and App Mesh checks callers per listener; list port {port}, or leave ports out',
  ),
} as const satisfies Record<string, MessageType>;

export type AppMeshMessage = keyof typeof APPMESH_MESSAGES;
