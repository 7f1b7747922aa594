/**
 * Who a Linkerd authorization admits, as neutral callers: MeshTLSAuthentication identities and
 * identityRefs, ServiceAccount references, and the older ServerAuthorization's clients
 * (https://linkerd.io/2/reference/authorization-policy/: identities are
 * `<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>`, `*` any meshed caller; an
 * identityRef ServiceAccount without namespace is in the authentication's namespace).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
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
    r.lost(
      o,
      ['spec'],
      'network (IP address) authentication has no neutral form: neutral callers are identities',
    );
    r.lost(ap, at, `it requires NetworkAuthentication ${ref.name}, which has no neutral form`);
    return undefined;
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
 * Identity strings (`<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>`, `*.<ns>...`) as
 * neutral callers, appended to `out`; false when one has no neutral form (reported).
 */
function identities(o: NativeObject, at: FieldPath, r: LinkerdReader, out: Obj[]): boolean {
  let ok = true;
  const td = r.ctx.trustDomain;
  (r.ledger.peek<string[]>(o, at) ?? []).forEach((id, i) => {
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
 * by name or by its labels, and clients by mesh identity (service accounts, identity strings);
 * unauthenticated clients and client networks have no neutral form, and leaving them out would
 * change who is allowed, so such an authorization is left out whole.
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
  for (const k of ['unauthenticated', 'networks'] as const)
    if (client[k] !== undefined && client[k] !== false) {
      r.lost(
        sa,
        ['spec'],
        k === 'networks'
          ? 'client networks (IP addresses) have no neutral form; imported without them the authorization would allow other callers, so it is left out'
          : 'unauthenticated clients have no neutral form (neutral callers are identities), so the authorization is left out',
      );
      return [];
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
