/**
 * What a Gateway API route of Istio's is attached to: its one parent, a Service (a mesh route,
 * enforced by the Service's waypoint in ambient) or an ingress Gateway (at the listener port its
 * parentRef or sectionName names); and for a gateway route, the service the neutral policy governs
 * (the one its backends name: a route at a gateway has no service of its own).
 */
import { SOURCE_ANNOTATION } from '../../core/adapter.js';
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import type { ServiceIndex } from '../kit/import-leaves.js';
import type { Parent } from '../kit/import-route-rule.js';
import { GATEWAY_API, type IstioReader, type Obj } from './import-reader.js';
import { loneUpgradePort, type Subsets } from './import-subsets.js';

/** The API group a parentRef names when it names none: Gateway API's own. */
const GATEWAY_GROUP = GATEWAY_API.slice(0, -1);

export type Attachment =
  | { kind: 'service'; parent: Parent }
  | { kind: 'gateway'; gateway: Obj; namespace: string };

const isServiceRef = (p: Obj) =>
  (p.kind ?? 'Gateway') === 'Service' && (p.group === '' || p.group === 'core' || p.group === undefined);
const isGatewayRef = (p: Obj) =>
  (p.kind ?? 'Gateway') === 'Gateway' && (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP;

/** The one parent of a route: a Service, or an ingress Gateway (with the listener's port). */
export function attachmentOf(
  route: NativeObject,
  r: IstioReader,
  gateways: ReadonlyMap<string, NativeObject>,
  waypoints: ReadonlySet<string>,
): Attachment | undefined {
  const parents = r.ledger.peek<Obj[]>(route, ['spec', 'parentRefs']) ?? [];
  let found: Attachment | undefined;
  parents.forEach((p, i) => {
    const at: FieldPath = ['spec', 'parentRefs', i];
    if (found) {
      r.lost(
        route,
        at,
        'the route is imported for its first parent; write one route per parent to import this one',
      );
      return;
    }
    const namespace = (p.namespace as string | undefined) ?? route.namespace;
    if (isServiceRef(p)) {
      r.rest(route, at, ['group', 'kind', 'name', 'namespace', 'port'], 'parentRef');
      for (const k of ['group', 'kind', 'name', 'namespace', 'port']) r.ledger.take(route, [...at, k]);
      found = {
        kind: 'service',
        parent: {
          namespace,
          service: String(p.name),
          ...(p.port !== undefined ? { port: p.port as number } : {}),
        },
      };
      return;
    }
    if (!isGatewayRef(p)) {
      r.lost(
        route,
        at,
        `a ${String(p.kind)} parent has no neutral form (neutral policies govern Services, or calls entering through a Gateway)`,
      );
      return;
    }
    if (waypoints.has(`${namespace}/${String(p.name)}`)) {
      r.lost(
        route,
        at,
        'a route bound to the waypoint itself governs every call the waypoint carries, which a neutral policy (one service) cannot say; bind it to the Service',
      );
      return;
    }
    r.rest(route, at, ['group', 'kind', 'name', 'namespace', 'port', 'sectionName'], 'parentRef');
    const gateway: Obj = { name: String(p.name) };
    if (namespace !== route.namespace) gateway.namespace = namespace;
    let port = p.port as number | undefined;
    if (p.sectionName !== undefined) {
      const listener = listenerPort(gateways.get(`${namespace}/${String(p.name)}`), String(p.sectionName));
      if (listener === undefined || (port !== undefined && port !== listener.port)) {
        r.lost(
          route,
          [...at, 'sectionName'],
          listener === undefined
            ? `listener ${String(p.sectionName)} is not in the input, and a neutral gateway names a listener by its port (spec.gateway.port)`
            : `listener ${String(p.sectionName)} listens on ${listener.port}, not on the port the parentRef names`,
        );
        return;
      }
      if (listener.shared)
        r.changed(
          route,
          [...at, 'sectionName'],
          `the neutral gateway.port ${listener.port} names every listener of that port, not listener ${String(p.sectionName)} alone`,
        );
      else r.ledger.take(route, [...at, 'sectionName']);
      port = listener.port;
    }
    if (port !== undefined) gateway.port = port;
    for (const k of ['group', 'kind', 'name', 'namespace', 'port']) r.ledger.take(route, [...at, k]);
    found = { kind: 'gateway', gateway, namespace: route.namespace };
  });
  if (!found && !parents.length) r.lost(route, ['spec'], 'the route has no parent, so it governs no calls');
  return found;
}

/** The port of a Gateway's listener by name, and whether another listener shares the port. */
function listenerPort(
  gw: NativeObject | undefined,
  name: string,
): { port: number; shared: boolean } | undefined {
  const listeners = ((gw?.object.spec as Obj | undefined)?.listeners as Obj[] | undefined) ?? [];
  const l = listeners.find((x) => x.name === name);
  if (typeof l?.port !== 'number') return undefined;
  return { port: l.port, shared: listeners.filter((x) => x.port === l.port).length > 1 };
}

/**
 * The service a gateway route governs (the neutral spec.service; a rule without backends goes to
 * it): the name its backendRefs share, counting a `<service>-<version>` leaf Service of the input
 * as the service's, else the first backend; its port when every backend of it names the same.
 */
export function gatewayService(
  route: NativeObject,
  rules: readonly Obj[],
  services: ServiceIndex,
  /** The policy anymesh made the route from: its own leaf Services name the service first. */
  ownRef: string | undefined,
): Parent | undefined {
  const local = (b: Obj) =>
    (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '' && b.namespace === undefined;
  // The backends of the rules, then those of their mirrors.
  const routed = rules.flatMap((rule) => (rule.backendRefs as Obj[] | undefined) ?? []).filter(local);
  const mirrored = rules
    .flatMap((rule) =>
      ((rule.filters as Obj[] | undefined) ?? []).flatMap((f) =>
        f.type === 'RequestMirror' && (f.requestMirror as Obj | undefined)?.backendRef
          ? [(f.requestMirror as Obj).backendRef as Obj]
          : [],
      ),
    )
    .filter(local);
  const refs = [...routed, ...mirrored];
  if (!refs.length) return undefined;
  const names = refs.map((b) => String(b.name));
  const routedNames = routed.map((b) => String(b.name));
  const candidates = [...new Set(names.flatMap((n) => [n, ...dashPrefixes(n)]))];
  const scoreIn = (list: readonly string[], c: string) =>
    list.filter((n) => n === c || (n.startsWith(`${c}-`) && services.get(route.namespace, n) !== undefined))
      .length;
  const ownLeaves = (c: string) =>
    names.filter(
      (n) =>
        ownRef !== undefined &&
        n.startsWith(`${c}-`) &&
        (services.get(route.namespace, n)?.object.metadata.annotations?.[SOURCE_ANNOTATION] ?? '')
          .split(',')
          .includes(ownRef),
    ).length;
  // anymesh's own leaves first; then the most rule backends, then mirrors too; on a tie a service
  // whose leaves they are (reviews for reviews-v1 when Service reviews-v1 is in the input), then
  // the longer name (tcp-echo over tcp).
  const rank = (c: string) => [
    ownLeaves(c),
    scoreIn(routedNames, c),
    scoreIn(names, c),
    names.includes(c) ? 0 : 1,
    c.length,
  ];
  const better = (a: number[], b: number[]) => a.findIndex((x, k) => x !== b[k]);
  const service = candidates.reduce((best, c) => {
    const k = better(rank(c), rank(best));
    return k >= 0 && rank(c)[k]! > rank(best)[k]! ? c : best;
  }, names[0]!);
  const ports = new Set(
    refs.filter((b) => b.name === service || String(b.name).startsWith(`${service}-`)).map((b) => b.port),
  );
  const port = ports.size === 1 ? [...ports][0] : undefined;
  return { namespace: route.namespace, service, ...(typeof port === 'number' ? { port } : {}) };
}

/**
 * The service of anymesh's own gateway route whose rules all send elsewhere: the one whose
 * DestinationRule names the same policy (an HTTP/2 policy's upgrade), at the port it upgrades.
 */
export function ownService(
  own: { kind: string; namespace: string; name: string } | undefined,
  subsets: ReadonlyMap<string, Subsets>,
): Parent | undefined {
  if (!own) return undefined;
  const ref = `${own.kind}/${own.namespace}/${own.name}`;
  const keys = [...subsets.entries()]
    .filter(([, s]) =>
      s.rules.some((d) =>
        (d.object.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',').includes(ref),
      ),
    )
    .map(([key]) => key);
  if (keys.length !== 1) return undefined;
  const [namespace, service] = keys[0]!.split('/') as [string, string];
  const port = loneUpgradePort(subsets.get(keys[0]!));
  return { namespace, service, ...(port !== undefined ? { port } : {}) };
}

function dashPrefixes(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('-'); i > 0; i = name.indexOf('-', i + 1)) out.push(name.slice(0, i));
  return out;
}
