/**
 * Service instances registered the way consul-k8s registers a meshed pod: the service and its
 * sidecar proxy, both in the catalog, both carrying the same Meta (consul-k8s v2.0.3
 * control-plane/connect-inject/controllers/endpoints/endpoints_controller.go builds the proxy
 * registration with `Meta: meta`, the service's own metadata). That Meta holds the pod's
 * `consul.hashicorp.com/service-meta-<key>: <value>` annotations as `<key>: <value>`, beside
 * consul-k8s's own keys. The proxy's Meta matters: resolver subset filters are evaluated on the
 * Connect health query, whose entries are the proxies (see chain-meaning.ts).
 */
import type { ConsulAgent } from '../../support/consul-agent.js';

export interface Instance {
  /** Service ID, like consul-k8s's <pod>-<service>. */
  id: string;
  service: string;
  /** Service metadata from the pod's service-meta annotations. */
  meta?: Record<string, string>;
}

const NODE = 'k8s-node-virtual';

export async function register(agent: ConsulAgent, instances: readonly Instance[]): Promise<void> {
  for (const [i, inst] of instances.entries()) {
    const meta = { 'k8s-service-name': inst.service, 'pod-name': inst.id, ...inst.meta };
    const address = `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const regs = [
      { ID: inst.id, Service: inst.service, Address: address, Port: 8080, Meta: meta },
      {
        Kind: 'connect-proxy',
        ID: `${inst.id}-sidecar-proxy`,
        Service: `${inst.service}-sidecar-proxy`,
        Address: address,
        Port: 20000,
        Meta: meta,
        Proxy: {
          DestinationServiceName: inst.service,
          DestinationServiceID: inst.id,
          LocalServicePort: 8080,
        },
      },
    ];
    for (const Service of regs) {
      const r = await agent.request('PUT', '/v1/catalog/register', {
        Node: NODE,
        Address: '127.0.0.1',
        Service,
      });
      if (r.status !== 200) throw new Error(`register ${Service.ID}: ${r.status} ${r.body}`);
    }
  }
}

export async function deregister(agent: ConsulAgent, instances: readonly Instance[]): Promise<void> {
  for (const inst of instances) {
    for (const ServiceID of [inst.id, `${inst.id}-sidecar-proxy`]) {
      const r = await agent.request('PUT', '/v1/catalog/deregister', { Node: NODE, ServiceID });
      if (r.status !== 200) throw new Error(`deregister ${ServiceID}: ${r.status} ${r.body}`);
    }
  }
}

/**
 * Instances per service and version: `versioned({reviews: {v1: 2, v2: 1}})` gives reviews-v1-0,
 * reviews-v1-1, reviews-v2-0 with Meta version=v1/v2; version `-` gives instances without the key
 * (IDs <service>-plain-<n>), as pods without the annotation.
 */
export function versioned(counts: Record<string, Record<string, number>>, key = 'version'): Instance[] {
  const out: Instance[] = [];
  for (const [service, perVersion] of Object.entries(counts)) {
    for (const [version, n] of Object.entries(perVersion)) {
      for (let i = 0; i < n; i++) {
        out.push({
          id: `${service}-${version === '-' ? 'plain' : version}-${i}`,
          service,
          ...(version === '-' ? {} : { meta: { [key]: version } }),
        });
      }
    }
  }
  return out;
}
