/**
 * A VirtualService bound to ingress gateways (`gateways` other than `mesh`; with `mesh` too, its
 * mesh part is imported as well) -> TrafficPolicies with spec.gateway, one per gateway: what the compile writes as `<policy>.gateway` (routing.ts),
 * and what Istio's docs write for every ingress (bookinfo-gateway, httpbin-gateway).
 *
 * - `gateways` entries are `<namespace>/<name>` or a name in the VirtualService's namespace
 *   (Istio's VirtualService reference, `gateways`); `mesh` never appears here.
 * - `hosts` are the gateway's host names: `*` is every host (no hostnames); other names must be
 *   Gateway API Hostnames (lower-case DNS names, a leading `*.` wildcard), the rest is reported.
 * - The policy's service is the Service the routes send to: the one whose subsets they name, else
 *   the one named most often (first on a tie); the policy lives in its namespace, so a
 *   VirtualService of another namespace moves there (said, since a Gateway can admit
 *   VirtualServices by namespace). Other destinations are backends naming their service.
 * - Match `port` is the gateway's listener port there: spec.gateway.port when every entry names the
 *   same one; `sourceLabels` and `sourceNamespace` mean the gateway itself, reported by the routes'
 *   factoring (import-routing.ts). tcp routes are TCP policies at their listener port.
 */
import type { NativeObject } from '../../core/import.js';
import { isGatewayHostname } from '../../core/model/semantic-gateway.js';
import { serviceOfHost } from '../kit/import-kit.js';
import type { IstioReader, Obj } from './import-reader.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface GatewayBinding {
  /** The neutral spec.gateway, its namespace still absolute (relativeTo drops it). */
  readonly name: string;
  readonly namespace: string;
  readonly hostnames?: string[];
}

export interface GatewayRoutes {
  readonly service: { service: string; namespace: string };
  readonly gateways: GatewayBinding[];
}

/** The neutral spec.gateway of a binding, for a policy in `namespace`, at listener `port` if any. */
export function gatewaySpec(g: GatewayBinding, namespace: string, port?: number): Obj {
  return {
    name: g.name,
    ...(g.namespace !== namespace ? { namespace: g.namespace } : {}),
    ...(g.hostnames ? { hostnames: g.hostnames } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/**
 * Reads the gateways, host names and service of a VirtualService bound to gateways, or undefined
 * when nothing of it can be a gateway policy (reported: the VirtualService whole, or with `mesh`
 * among its gateways, the gateways only).
 */
export function readGatewayBinding(
  vs: NativeObject,
  gateways: readonly unknown[],
  r: IstioReader,
  preferred: ReadonlySet<string> = new Set(),
): GatewayRoutes | undefined {
  // With `mesh` among them the routes also hold inside the mesh, which import-routing.ts imports.
  const alsoMesh = gateways.includes('mesh');
  const bound: { name: string; namespace: string }[] = [];
  gateways.forEach((g, i) => {
    if (g === 'mesh') {
      r.ledger.take(vs, ['spec', 'gateways', i]);
      return;
    }
    const parts = typeof g === 'string' ? g.split('/') : [];
    const [namespace, name] =
      parts.length === 2 ? parts : [vs.namespace, parts.length === 1 ? parts[0] : undefined];
    if (
      typeof name !== 'string' ||
      !DNS_SUBDOMAIN.test(name) ||
      name.length > 253 ||
      !DNS_LABEL.test(namespace ?? '')
    ) {
      r.lost(vs, ['spec', 'gateways', i], `gateway ${JSON.stringify(g)} is not <namespace>/<name> or a name`);
      return;
    }
    r.ledger.take(vs, ['spec', 'gateways', i]);
    bound.push({ name, namespace: namespace! });
  });
  const hosts = r.ledger.peek<unknown[]>(vs, ['spec', 'hosts']) ?? [];
  const every = hosts.includes('*');
  const hostnames: string[] = [];
  hosts.forEach((h, i) => {
    if (h === '*' || (every && typeof h === 'string')) {
      // Under `*` every other name is already answered for.
      r.ledger.take(vs, ['spec', 'hosts', i]);
      return;
    }
    if (typeof h === 'string' && isGatewayHostname(h)) {
      r.ledger.take(vs, ['spec', 'hosts', i]);
      if (!hostnames.includes(h)) hostnames.push(h);
      return;
    }
    r.lost(
      vs,
      ['spec', 'hosts', i],
      `host ${JSON.stringify(h)} is not a host name a gateway policy can name (lower-case DNS names, optionally under a leading *.; no IP address, port or namespace)`,
    );
  });
  const service = primaryService(vs, r, preferred);
  const why = !bound.length
    ? 'none of its gateways can be named'
    : !every && !hostnames.length
      ? 'none of its hosts is a host name a gateway policy can name'
      : !service
        ? 'its routes send no request to a Service of this cluster'
        : undefined;
  if (why || !service) {
    if (alsoMesh)
      r.lost(
        vs,
        ['spec', 'gateways'],
        `the routes also apply at gateways, but ${why}; only the mesh part is imported`,
      );
    else r.lost(vs, ['spec'], `a VirtualService bound to gateways ${gateways.join(', ')}: ${why}`);
    return undefined;
  }
  if (service.namespace !== vs.namespace)
    r.changed(
      vs,
      ['metadata', 'namespace'],
      `the routes go to Service ${service.service} of namespace ${service.namespace}, so the policy lives there and compiles to a VirtualService of that namespace; a Gateway whose servers admit VirtualServices by namespace (hosts: <namespace>/<host>) must admit it`,
    );
  return {
    service,
    gateways: bound.map((b) => ({ ...b, ...(every ? {} : { hostnames }) })),
  };
}

/**
 * The Service the routes (http and tcp) are for: the one whose subsets they name (versions belong
 * to the policy's service), else the one their destinations name most often, first on a tie.
 */
function primaryService(
  vs: NativeObject,
  r: IstioReader,
  preferred: ReadonlySet<string>,
): { service: string; namespace: string } | undefined {
  const list = (kind: 'http' | 'tcp') => {
    const routes = r.ledger.peek<unknown>(vs, ['spec', kind]);
    return Array.isArray(routes) ? routes : [];
  };
  const routes = [...list('http'), ...list('tcp')];
  const counts = new Map<
    string,
    { svc: { service: string; namespace: string }; n: number; subsets: boolean }
  >();
  for (const route of routes) {
    const dests = (route as Obj | null)?.route;
    for (const d of Array.isArray(dests) ? dests : []) {
      const dest = (d as Obj | null)?.destination as Obj | undefined;
      const host = dest?.host;
      const svc = typeof host === 'string' ? serviceOfHost(host, vs.namespace, r.ctx) : undefined;
      if (!svc) continue;
      const key = `${svc.namespace}/${svc.service}`;
      const c = counts.get(key) ?? { svc, n: 0, subsets: false };
      c.n++;
      if (dest?.subset !== undefined) c.subsets = true;
      counts.set(key, c);
    }
  }
  // anymesh's own: the policy's service, even when no route names it (every rule to other services).
  if (preferred.size === 1) {
    const [namespace, service] = [...preferred][0]!.split('/') as [string, string];
    return { service, namespace };
  }
  let best: { svc: { service: string; namespace: string }; n: number; subsets: boolean } | undefined;
  for (const c of counts.values()) {
    if (!best || (c.subsets && !best.subsets) || (c.subsets === best.subsets && c.n > best.n)) best = c;
  }
  return best?.svc;
}
