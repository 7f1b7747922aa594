/**
 * Plans -> App Mesh objects (`appmesh.k8s.aws/v1beta2`), field names as in the controller's CRDs.
 *
 * Objects name no mesh: the controller's webhook fills `spec.meshRef` from the Mesh whose
 * `namespaceSelector` selects the object's namespace, so the namespaces must carry the label the
 * Mesh selects (`<appmesh.namespaceLabel>: <mesh>`). awsName is left to the controller's defaults
 * except on the VirtualService, whose awsName is the hostname clients call (the service FQDN).
 */
import { type CompileContext, type KubeObject, outputMetadata, serviceFqdn } from '../../core/adapter.js';
import { Interned } from '../../core/interned.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { Protocol } from '../../core/model/schema.js';
import type { AppMeshOptions } from './options.js';
import { meshDuration, type NodePlan, type Obj, type ServicePlan } from './plan.js';

export const API_VERSION = 'appmesh.k8s.aws/v1beta2';

export function meshObject(options: AppMeshOptions, sources: readonly PolicyDoc[]): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Mesh',
    metadata: outputMetadata(options.mesh, undefined, sources),
    spec: {
      namespaceSelector: { matchLabels: { [options.namespaceLabel]: options.mesh } },
      egressFilter: { type: options.egressFilter },
    },
  };
}

/** A listener on the port, for the policy's protocol (portMapping.protocol grpc | http | http2 | tcp). */
function listener(port: number, protocol: Protocol): Obj {
  return { portMapping: { port, protocol } };
}

/** `listeners: [listener]` as most nodes and every router write it: one shared list per port. */
const plainListeners = new Interned<Obj[]>();
const listenersOn = (port: number, protocol: Protocol) =>
  plainListeners.get(`${protocol}:${port}`, () => [listener(port, protocol)]);

/** A node's listeners: the shared plain list, or its own with the settings policies gave it. */
function nodeListeners(n: NodePlan): readonly Obj[] {
  const own =
    n.listenerTimeoutMs !== undefined ||
    n.listenerTls ||
    n.listenerPool ||
    n.listenerOutlier ||
    n.listenerHealthCheck;
  if (!own) return listenersOn(n.port, n.protocol);
  const l = listener(n.port, n.protocol);
  // Listener timeouts are keyed by protocol (listeners[].timeout.{http, grpc, ...}).
  if (n.listenerTimeoutMs !== undefined)
    l.timeout = { [n.protocol]: { perRequest: meshDuration(n.listenerTimeoutMs) } };
  if (n.listenerTls) l.tls = n.listenerTls;
  if (n.listenerPool) l.connectionPool = n.listenerPool;
  if (n.listenerOutlier) l.outlierDetection = n.listenerOutlier;
  if (n.listenerHealthCheck) l.healthCheck = n.listenerHealthCheck;
  return [l];
}

function virtualNode(n: NodePlan, ownNamespace: string): KubeObject {
  const spec: Obj = {
    podSelector: { matchLabels: n.podLabels },
    listeners: nodeListeners(n),
    serviceDiscovery: { dns: { hostname: n.hostname } },
  };
  if (n.backends.length) {
    spec.backends = n.backends.map((b) => ({
      virtualService: {
        virtualServiceRef: {
          name: b.name,
          ...(b.namespace !== ownNamespace ? { namespace: b.namespace } : {}),
        },
        ...(b.clientTls ? { clientPolicy: { tls: b.clientTls } } : {}),
      },
    }));
  }
  return {
    apiVersion: API_VERSION,
    kind: 'VirtualNode',
    metadata: outputMetadata(n.name, n.namespace, n.sources),
    spec,
  };
}

/** A leaf Service's `ports`, the same for every Service of one port and protocol. */
const leafPorts = new Interned<Obj[]>();

/** The per-version Service that makes a version's DNS name resolve to its pods only. */
function leafService(n: NodePlan, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: outputMetadata(
      name,
      n.namespace,
      n.sources.filter((s) => s.kind === 'TrafficPolicy'),
    ),
    spec: {
      selector: n.podLabels,
      ports: leafPorts.get(`${n.protocol}:${n.port}`, () => [
        { name: n.protocol, port: n.port, targetPort: n.port, protocol: 'TCP' },
      ]),
    },
  };
}

export function serviceObjects(plan: ServicePlan, ctx: CompileContext): KubeObject[] {
  const out: KubeObject[] = plan.nodes.map((n) => virtualNode(n, plan.namespace));
  for (const n of plan.nodes) if (n.leafService) out.push(leafService(n, n.leafService));
  out.push({
    apiVersion: API_VERSION,
    kind: 'VirtualRouter',
    metadata: outputMetadata(plan.service, plan.namespace, [plan.policy]),
    // The plan's routes as they are: the plan ends with this object, and nothing edits output.
    spec: { listeners: listenersOn(plan.port, plan.protocol), routes: plan.routes },
  });
  out.push({
    apiVersion: API_VERSION,
    kind: 'VirtualService',
    metadata: outputMetadata(plan.service, plan.namespace, [plan.policy]),
    spec: {
      awsName: serviceFqdn(plan.service, plan.namespace, ctx),
      provider: { virtualRouter: { virtualRouterRef: { name: plan.service } } },
    },
  });
  return out;
}
