/**
 * Who a Linkerd authorization admits, as neutral callers: MeshTLSAuthentication identities and
 * identityRefs, ServiceAccount references, and the older ServerAuthorization's clients
 * (https://linkerd.io/2/reference/authorization-policy/: identities are
 * `<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>`, `*` any meshed caller; an
 * identityRef ServiceAccount without namespace is in the authentication's namespace).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { contains, parseNetwork } from '../../core/model/semantic-ip-block.js';
import { takeMetadata } from '../kit/import-kit.js';
import type { LinkerdReader, Obj } from './import-reader.js';
import type { ServerIR } from './import-servers.js';

export interface Grant {
  /** The AuthorizationPolicy or ServerAuthorization. */
  readonly ap: NativeObject;
  /** Where it names what it authorizes. */
  readonly targetPath?: FieldPath;
  readonly server: ServerIR;
  readonly from: Obj[];
  /** undefined: every request to the Server's port. */
  readonly ops?: { methods?: string[]; paths?: string[] }[];
  /** The index of the neutral `to` entry anymesh wrote it from (route `<policy>-<port>-<i>`). */
  readonly index?: number;
}

/** Callers of one required authentication, or undefined when it has no neutral form (reported). */
export function callersOf(
  ap: NativeObject,
  at: FieldPath,
  ref: Obj,
  authn: Map<string, NativeObject>,
  used: Set<NativeObject>,
  r: LinkerdReader,
): Obj[] | undefined {
  const kind = ref.kind as string;
  const ns = (ref.namespace as string | undefined) ?? ap.namespace;
  if (kind === 'ServiceAccount') {
    r.ledger.take(ap, at);
    return [{ namespace: ns, serviceAccount: String(ref.name) }];
  }
  const o = authn.get(`${kind}/${ns}/${ref.name}`);
  if (!o) {
    r.lost(ap, at, `${kind} ${ns}/${ref.name} is not in the input, so the callers it names are unknown`);
    return undefined;
  }
  used.add(o);
  if (kind === 'NetworkAuthentication') {
    takeMetadata(r.ledger, o);
    r.rest(o, ['spec'], ['networks'], 'NetworkAuthentication');
    const nets = networkCallers(o, ['spec', 'networks'], r);
    if (!nets?.length) {
      if (nets) r.lost(o, ['spec'], 'a NetworkAuthentication without networks authenticates no caller');
      r.lost(ap, at, `NetworkAuthentication ${ref.name} has networks with no neutral form (above)`);
      return undefined;
    }
    r.ledger.take(ap, at);
    return nets;
  }
  takeMetadata(r.ledger, o);
  r.rest(o, ['spec'], ['identities', 'identityRefs'], 'MeshTLSAuthentication');
  const out: Obj[] = [];
  let ok = true;
  if (!identities(o, ['spec', 'identities'], r, out)) ok = false;
  (r.ledger.peek<Obj[]>(o, ['spec', 'identityRefs']) ?? []).forEach((ir, i) => {
    const iat = ['spec', 'identityRefs', i];
    r.rest(o, iat, ['group', 'kind', 'name', 'namespace'], 'identityRef');
    if (ir.kind === 'ServiceAccount' && ir.name !== '*') {
      r.ledger.take(o, iat);
      out.push({ namespace: (ir.namespace as string | undefined) ?? o.namespace, serviceAccount: ir.name });
    } else if (ir.kind === 'Namespace' && ir.name !== '*') {
      r.ledger.take(o, iat);
      out.push({ namespace: ir.name });
    } else {
      r.lost(o, iat, `identityRef ${ir.kind} ${ir.name} is not one service account or namespace`);
      ok = false;
    }
  });
  if (!ok) {
    r.lost(
      ap,
      at,
      `${o.object.metadata.name} names callers with no neutral form; imported without them the policy would allow more or other callers`,
    );
    return undefined;
  }
  r.ledger.take(ap, at);
  return out;
}

/**
 * Client networks (`networks[]` of a NetworkAuthentication or a ServerAuthorization client: a
 * `cidr` and the `except` networks inside it, policy-controller k8s/index/src/inbound/
 * server_authorization.rs `NetworkMatch`) as neutral callers by ipBlock; undefined when one has no
 * neutral form (reported): leaving one network out would change who is admitted.
 */
export function networkCallers(o: NativeObject, at: FieldPath, r: LinkerdReader): Obj[] | undefined {
  const out: Obj[] = [];
  let ok = true;
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((n, i) => {
    const nat = [...at, i];
    r.rest(o, nat, ['cidr', 'except'], 'network');
    const outer = parseNetwork(String(n.cidr ?? ''));
    const except = ((n.except as unknown[] | undefined) ?? []).map(String);
    const bad =
      typeof outer === 'string'
        ? outer
        : except.find((e) => {
            const inner = parseNetwork(e);
            return typeof inner === 'string' || !contains(outer, inner);
          });
    if (bad !== undefined) {
      r.lost(
        o,
        nat,
        typeof outer === 'string'
          ? `cidr ${JSON.stringify(n.cidr)} is not a network: ${bad}`
          : `except ${bad} is not a network inside ${n.cidr}`,
      );
      ok = false;
      return;
    }
    r.ledger.take(o, nat);
    out.push({ ipBlock: { cidr: String(n.cidr), ...(except.length ? { except } : {}) } });
  });
  return ok ? out : undefined;
}

/**
 * Every caller, by network: what Linkerd admits when an authorization names no identity and no
 * network (policy-controller k8s/index/src/inbound/index.rs: "If networks are configured, use
 * them. Otherwise, this applies to all networks": 0.0.0.0/0 and ::/0, unauthenticated).
 */
export const ALL_NETWORKS: readonly Obj[] = [
  { ipBlock: { cidr: '0.0.0.0/0' } },
  { ipBlock: { cidr: '::/0' } },
];

/**
 * Callers who must satisfy both lists (an AuthorizationPolicy requires all of its
 * authentications): each identity from each network.
 */
export function bothOf(identities: readonly Obj[], networks: readonly Obj[]): Obj[] {
  return identities.flatMap((id) => networks.map((n) => ({ ...id, ...structuredClone(n) })));
}

/** A caller list that names networks only (a NetworkAuthentication's). */
export const isNetworkList = (list: readonly Obj[]) => list.every((c) => Object.keys(c).join() === 'ipBlock');

/**
 * Identity strings (`<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>`, `*.<ns>...`, and
 * `*` for every authenticated client) as neutral callers, appended to `out`; false when one has no
 * neutral form (reported).
 */
function identities(o: NativeObject, at: FieldPath, r: LinkerdReader, out: Obj[]): boolean {
  let ok = true;
  const td = r.ctx.trustDomain;
  (r.ledger.peek<string[]>(o, at) ?? []).forEach((id, i) => {
    // "*": every authenticated client (the MeshTLSAuthentication CRD's identities).
    if (id === '*') {
      r.ledger.take(o, [...at, i]);
      out.push({ authenticated: true });
      return;
    }
    const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\.linkerd\.(.+)$/.exec(id);
    if (!m || m[2] === '*') {
      r.lost(
        o,
        [...at, i],
        `identity ${id} is not one service account or namespace (neutral callers name them)`,
      );
      ok = false;
      return;
    }
    if (m[3] !== td)
      r.changed(o, [...at, i], `trust domain ${m[3]} is not ${td}; pass --trust-domain ${m[3]}`);
    else r.ledger.take(o, [...at, i]);
    out.push(m[1] === '*' ? { namespace: m[2] } : { namespace: m[2], serviceAccount: m[1] });
  });
  return ok;
}

/**
 * ServerAuthorization (policy.linkerd.io/v1beta1, the form before AuthorizationPolicy): a Server
 * by name or by its labels, and clients by mesh identity (service accounts, identity strings),
 * narrowed to client networks when it lists them; unauthenticated clients from listed networks are
 * callers by network. What has no neutral form is not left out in part (that would change who is
 * allowed): such an authorization is left out whole.
 */
export function readServerAuthorization(
  sa: NativeObject,
  servers: Map<string, ServerIR>,
  r: LinkerdReader,
): Grant[] {
  takeMetadata(r.ledger, sa);
  r.rest(sa, ['spec'], ['server', 'client'], 'ServerAuthorization');
  r.rest(sa, ['spec', 'client'], ['meshTLS', 'unauthenticated', 'networks'], 'client');
  const client = r.ledger.peek<Obj>(sa, ['spec', 'client']) ?? {};
  // Client networks narrow the clients to those addresses; without them the policy controller
  // sends the install's clusterNetworks (policy-controller grpc/src/inbound.rs), which the input
  // does not hold.
  const networks =
    client.networks === undefined ? undefined : networkCallers(sa, ['spec', 'client', 'networks'], r);
  if (client.networks !== undefined && !networks?.length) {
    r.lost(
      sa,
      ['spec'],
      'a client network has no neutral form (above); imported without it the authorization would allow other callers, so it is left out',
    );
    return [];
  }
  if (client.unauthenticated === true) {
    if (!networks) {
      r.lost(
        sa,
        ['spec'],
        "unauthenticated clients without networks are admitted from the install's clusterNetworks (Helm value clusterNetworks), which the input does not say, so the authorization is left out",
      );
      return [];
    }
    r.ledger.take(sa, ['spec', 'client', 'unauthenticated']);
    return serverGrants(sa, servers, networks, r);
  }
  if (client.unauthenticated === false) r.ledger.take(sa, ['spec', 'client', 'unauthenticated']);
  const mtls: FieldPath = ['spec', 'client', 'meshTLS'];
  r.rest(sa, mtls, ['serviceAccounts', 'identities', 'unauthenticatedTLS'], 'meshTLS');
  const m = r.ledger.peek<Obj>(sa, mtls) ?? {};
  if (m.unauthenticatedTLS === true || (!m.serviceAccounts && !m.identities)) {
    r.lost(sa, ['spec'], 'TLS clients without a mesh identity (or no clients) have no neutral form');
    return [];
  }
  if (m.unauthenticatedTLS === false) r.ledger.take(sa, [...mtls, 'unauthenticatedTLS']);
  const from: Obj[] = [];
  ((m.serviceAccounts as Obj[] | undefined) ?? []).forEach((a, i) => {
    r.rest(sa, [...mtls, 'serviceAccounts', i], ['name', 'namespace'], 'serviceAccount');
    r.ledger.take(sa, [...mtls, 'serviceAccounts', i]);
    from.push({ namespace: (a.namespace as string | undefined) ?? sa.namespace, serviceAccount: a.name });
  });
  if (!identities(sa, [...mtls, 'identities'], r, from)) {
    r.lost(
      sa,
      ['spec', 'server'],
      'an identity has no neutral form (above); imported without it the authorization would allow other callers, so it is left out',
    );
    return [];
  }
  return serverGrants(sa, servers, networks ? bothOf(dedupe(from), networks) : from, r);
}

/** The Servers a ServerAuthorization names (by name or labels), each granted to `from`. */
function serverGrants(
  sa: NativeObject,
  servers: Map<string, ServerIR>,
  from: Obj[],
  r: LinkerdReader,
): Grant[] {
  const target = r.ledger.peek<Obj>(sa, ['spec', 'server']) ?? {};
  r.rest(sa, ['spec', 'server'], ['name', 'selector'], 'server');
  let list: ServerIR[] = [];
  if (typeof target.name === 'string') {
    const s = servers.get(`${sa.namespace}/${target.name}`);
    if (s) list = [s];
  } else {
    const labels =
      ((target.selector as Obj | undefined)?.matchLabels as Record<string, string> | undefined) ?? {};
    r.rest(sa, ['spec', 'server', 'selector'], ['matchLabels'], 'server selector');
    list = [...servers.values()].filter(
      (s) =>
        s.o.namespace === sa.namespace &&
        Object.entries(labels).every(([k, v]) => s.o.object.metadata.labels?.[k] === v),
    );
  }
  if (!list.length) {
    r.lost(
      sa,
      ['spec', 'server'],
      'no Server it names is in the input, so the service and port it covers are unknown',
    );
    return [];
  }
  r.ledger.take(sa, ['spec', 'server']);
  return list.map((server) => ({ ap: sa, server, from: dedupe(from), targetPath: ['spec', 'server'] }));
}

export const dedupe = (list: Obj[]) =>
  list.filter((x, i) => list.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i);
