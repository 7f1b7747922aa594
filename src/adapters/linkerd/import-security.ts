/**
 * Linkerd authorization -> AccessPolicy and MTLSPolicy: Server + AuthorizationPolicy (targeting
 * the Server or one of its inbound HTTPRoutes) + MeshTLSAuthentication are joined into allow
 * AccessPolicies; a Server with accessPolicy all-authenticated, or a Namespace annotated
 * `config.linkerd.io/default-inbound-policy: all-authenticated`, is a strict MTLSPolicy.
 *
 * Meanings (https://linkerd.io/2/reference/authorization-policy/ and the policy controller,
 * k8s/index/src/inbound/): an AuthorizationPolicy allows a caller only when ALL its required
 * authentications hold; a MeshTLSAuthentication holds for ANY of its identities; identities are
 * `<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>` (`*` for any meshed caller); an
 * identityRef ServiceAccount without namespace is in the authentication's namespace. Once a
 * Server has HTTPRoutes, requests matching none are refused. An allow imported without one of its
 * conditions would allow more, so such an authorization is left out whole (and reported).
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import {
  ALL_NETWORKS,
  bothOf,
  callersOf,
  dedupe,
  type Grant,
  isNetworkList,
  readServerAuthorization,
} from './import-authn.js';
import { accessPathOf, isInbound, readInboundRoute } from './import-inbound.js';
import { isKind, type LinkerdReader, type Obj, POLICY } from './import-reader.js';
import type { ServerIR } from './import-servers.js';
import { serverPorts } from './mtls.js';

const DEFAULT_INBOUND = 'config.linkerd.io/default-inbound-policy';

export function importSecurity(
  objects: readonly NativeObject[],
  servers: Map<string, ServerIR>,
  r: LinkerdReader,
): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  const authn = new Map<string, NativeObject>();
  for (const o of objects)
    if (isKind(o, POLICY, 'MeshTLSAuthentication') || isKind(o, POLICY, 'NetworkAuthentication'))
      authn.set(`${o.object.kind}/${o.namespace}/${o.object.metadata.name}`, o);
  const inbound = new Map<string, NativeObject>();
  for (const o of objects)
    if ((isKind(o, POLICY, 'HTTPRoute') || isKind(o, POLICY, 'GRPCRoute')) && isInbound(o))
      inbound.set(`${o.object.kind}/${o.namespace}/${o.object.metadata.name}`, o);
  const usedAuthn = new Set<NativeObject>();
  const usedRoutes = new Set<NativeObject>();
  // Each inbound route is read once (its losses reported once), whoever asks for its operations.
  const read = new Map<NativeObject, Ops | undefined>();
  const opsOf: OpsOf = (route) => {
    if (!read.has(route)) read.set(route, readInboundRoute(route, r, usedRoutes));
    return read.get(route);
  };
  const grants: Grant[] = [];
  for (const ap of objects.filter((o) => isKind(o, POLICY, 'AuthorizationPolicy')))
    grants.push(...readAuthorization(ap, servers, authn, inbound, usedAuthn, opsOf, r));
  for (const sa of objects.filter((o) => isKind(o, POLICY, 'ServerAuthorization')))
    grants.push(...readServerAuthorization(sa, servers, r));
  out.push(...accessPolicies(grants, inbound, usedRoutes, opsOf, r));
  // Every authentication object, also a second copy of one name (the map keeps the last).
  for (const o of objects.filter(
    (x) => isKind(x, POLICY, 'MeshTLSAuthentication') || isKind(x, POLICY, 'NetworkAuthentication'),
  ))
    if (!usedAuthn.has(o)) {
      takeMetadata(r.ledger, o);
      r.lost(
        o,
        ['spec'],
        `no AuthorizationPolicy given requires ${o.object.kind} ${o.object.metadata.name}, so it authorizes nobody`,
      );
    }
  for (const o of objects.filter(
    (x) => (isKind(x, POLICY, 'HTTPRoute') || isKind(x, POLICY, 'GRPCRoute')) && isInbound(x),
  ))
    if (!usedRoutes.has(o)) {
      takeMetadata(r.ledger, o);
      r.lost(
        o,
        ['spec'],
        'an inbound route no AuthorizationPolicy given targets only narrows what the Server admits, which neutral policies do not say',
      );
    }
  out.push(...strictPolicies(servers, grants, r));
  for (const ns of objects.filter((o) => isAnnotatedNamespace(o))) {
    const p = namespaceDefault(ns, r);
    if (p) out.push(p);
  }
  return out;
}

function readAuthorization(
  ap: NativeObject,
  servers: Map<string, ServerIR>,
  authn: Map<string, NativeObject>,
  inbound: Map<string, NativeObject>,
  usedAuthn: Set<NativeObject>,
  opsOf: OpsOf,
  r: LinkerdReader,
): Grant[] {
  takeMetadata(r.ledger, ap);
  r.rest(ap, ['spec'], ['targetRef', 'requiredAuthenticationRefs'], 'AuthorizationPolicy');
  const refs = r.ledger.peek<Obj[]>(ap, ['spec', 'requiredAuthenticationRefs']) ?? [];
  const lists = refs.map((ref, i) =>
    callersOf(ap, ['spec', 'requiredAuthenticationRefs', i], ref, authn, usedAuthn, r),
  );
  if (lists.some((l) => l === undefined)) {
    r.lost(
      ap,
      ['spec', 'targetRef'],
      'the policy is left out: one of its required authentications has no neutral form (above)',
    );
    return [];
  }
  // A caller must satisfy every required authentication: identities from the networks, when one
  // list is of identities and one of networks; no list at all admits every caller from anywhere.
  const networks = (lists as Obj[][]).filter(isNetworkList);
  const ids = (lists as Obj[][]).filter((l) => !isNetworkList(l));
  if (ids.length > 1 || networks.length > 1) {
    r.lost(
      ap,
      ['spec', 'requiredAuthenticationRefs'],
      'a caller must satisfy every required authentication at once; two lists of identities (or of networks) at once have no neutral form (neutral callers are any of them)',
    );
    return [];
  }
  if (!refs.length) r.ledger.take(ap, ['spec', 'requiredAuthenticationRefs']);
  const from = dedupe(
    ids[0] && networks[0] ? bothOf(ids[0], networks[0]) : (ids[0] ?? networks[0] ?? [...ALL_NETWORKS]),
  );
  const t = r.ledger.peek<Obj>(ap, ['spec', 'targetRef']) ?? {};
  const tat: FieldPath = ['spec', 'targetRef'];
  r.rest(ap, tat, ['group', 'kind', 'name', 'namespace'], 'targetRef');
  if (t.kind === 'Server') {
    const server = servers.get(`${ap.namespace}/${t.name}`);
    if (!server) {
      r.lost(ap, tat, `Server ${t.name} is not in the input, so the service and port it covers are unknown`);
      return [];
    }
    r.ledger.take(ap, tat);
    return [{ ap, server, from }];
  }
  if (t.kind === 'Namespace') {
    const list = [...servers.values()].filter((s) => s.o.namespace === (t.name ?? ap.namespace));
    if (!list.length) {
      r.lost(
        ap,
        tat,
        `no Server of namespace ${t.name} is in the input; a neutral AccessPolicy governs one service`,
      );
      return [];
    }
    r.ledger.take(ap, tat);
    return list.map((server) => ({ ap, server, from }));
  }
  if (t.kind === 'HTTPRoute' || t.kind === 'GRPCRoute') {
    const route = inbound.get(`${t.kind}/${ap.namespace}/${t.name}`);
    const parent = route
      ? ((route.object.spec as Obj).parentRefs as Obj[]).map((p) =>
          servers.get(`${route.namespace}/${p.name}`),
        )
      : [];
    if (!route || parent.length !== 1 || !parent[0]) {
      r.lost(ap, tat, `inbound ${t.kind} ${t.name} with one Server parent is not in the input`);
      return [];
    }
    const ops = opsOf(route);
    if (!ops) {
      r.lost(ap, tat, `no match of ${t.kind} ${t.name} has a neutral form, so the policy is left out`);
      return [];
    }
    r.ledger.take(ap, tat);
    const m = /-(\d+)-(\d+)$/.exec(String(t.name));
    const own = ap.object.metadata.annotations?.['anymesh.dev/source-policies'] !== undefined;
    return [{ ap, server: parent[0], from, ops, ...(own && m ? { index: Number(m[2]) } : {}) }];
  }
  r.lost(ap, tat, `a ${t.kind} target has no neutral form`);
  return [];
}

type Ops = { methods?: string[]; paths?: string[]; headers?: Obj[] }[];
type OpsOf = (route: NativeObject) => Ops | undefined;

function accessPolicies(
  grants: readonly Grant[],
  inbound: Map<string, NativeObject>,
  usedRoutes: Set<NativeObject>,
  opsOf: OpsOf,
  r: LinkerdReader,
): ImportedPolicy[] {
  // Server-level grants on a Server with routes: anymesh adds a catch-all route so they keep
  // every path; without one, requests matching no route are refused.
  const catchAlls = new Set<string>();
  for (const route of inbound.values()) {
    const rules = ((route.object.spec as Obj).rules as Obj[] | undefined) ?? [];
    const catchAll = rules.some((x) =>
      ((x.matches as Obj[] | undefined) ?? [{}]).some(
        (m) =>
          Object.keys(m).length === 0 ||
          (Object.keys(m).length === 1 && accessPathOf(m.path as Obj)?.[0] === '*'),
      ),
    );
    if (!catchAll) continue;
    for (const p of (route.object.spec as Obj).parentRefs as Obj[])
      catchAlls.add(`${route.namespace}/${p.name}`);
    if (!usedRoutes.has(route)) {
      usedRoutes.add(route);
      takeMetadata(r.ledger, route);
      r.ledger.take(route, ['spec']);
    }
  }
  const catchAllOf = (s: ServerIR) => catchAlls.has(`${s.o.namespace}/${s.o.object.metadata.name}`);
  const byPolicy = new Map<string, Grant[]>();
  for (const g of grants) {
    if (g.server.accessPolicy !== 'deny') {
      r.lost(
        g.ap,
        ['spec'],
        `Server ${g.server.o.object.metadata.name} already admits ${g.server.accessPolicy} callers by default, so this policy adds nothing a neutral AccessPolicy (which admits only its callers) could say`,
      );
      continue;
    }
    // deny is what makes the Server admit only the callers its authorizations name.
    r.ledger.take(g.server.o, ['spec', 'accessPolicy']);
    const src = sourceOf(g.ap, 'AccessPolicy');
    const key = src
      ? `own/${src.namespace}/${src.name}`
      : `${g.ap.namespace}/${g.ap.object.metadata.name}/${g.server.service}`;
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), g]);
  }
  const out: ImportedPolicy[] = [];
  for (const [key, unsorted] of byPolicy) {
    // anymesh numbers the authorizations of callers with both an identity and a network in their
    // order in from[] (`<policy>-<port>-from-<k>`): in name order (numbers as numbers) the callers
    // come back in that order.
    const list = key.startsWith('own/')
      ? [...unsorted].sort((a, b) =>
          a.ap.object.metadata.name.localeCompare(b.ap.object.metadata.name, 'en', { numeric: true }),
        )
      : unsorted;
    const first = list[0]!;
    const server = first.server;
    const own = key.startsWith('own/');
    const name = own ? key.split('/')[2]! : first.ap.object.metadata.name;
    const namespace = own ? key.split('/')[1]! : first.ap.namespace;
    // Entries by index: route grants carry anymesh's index; Server-level grants share one entry.
    const slots = new Map<
      number,
      { methods?: string[]; paths?: string[]; headers?: Obj[]; ports: number[] }
    >();
    const level: number[] = [];
    const extra: { methods?: string[]; paths?: string[]; headers?: Obj[]; ports: number[] }[] = [];
    for (const g of list) {
      const port = g.server.port;
      if (port === undefined) {
        r.lost(
          g.ap,
          g.targetPath ?? ['spec', 'targetRef'],
          `the port of Server ${g.server.o.object.metadata.name} is unknown (above), so what it authorizes cannot be said`,
        );
        continue;
      }
      if (!g.ops && serverHasRoutes(g.server, inbound) && !catchAllOf(g.server)) {
        // Once a Server has inbound routes, requests matching none are refused (404): callers
        // allowed on the whole Server may make the requests its routes match, and no others.
        const ops = routesOf(g.server, inbound).flatMap((route) => opsOf(route) ?? []);
        if (!ops.length)
          r.lost(
            g.ap,
            g.targetPath ?? ['spec', 'targetRef'],
            `no inbound route of Server ${g.server.o.object.metadata.name} has a match an AccessPolicy can say, and requests matching none are refused`,
          );
        for (const op of ops) extra.push({ ...op, ports: [port] });
        continue;
      }
      if (!g.ops) {
        if (!level.includes(port)) level.push(port);
        continue;
      }
      for (const op of g.ops) {
        if (g.index !== undefined && g.ops.length === 1) {
          const slot = slots.get(g.index) ?? { ...op, ports: [] };
          if (!slot.ports.includes(port)) slot.ports.push(port);
          slots.set(g.index, slot);
        } else extra.push({ ...op, ports: [port] });
      }
    }
    const to: Obj[] = [];
    const indexes = [...slots.keys()].sort((a, b) => a - b);
    let k = 0;
    let levelPlaced = level.length === 0;
    for (const i of indexes) {
      while (k < i && !levelPlaced) {
        to.push({ ports: level.sort((a, b) => a - b) });
        levelPlaced = true;
        k++;
      }
      to.push(slots.get(i)!);
      k++;
    }
    if (!levelPlaced) to.push({ ports: level.sort((a, b) => a - b) });
    to.push(...extra);
    if (!to.length) continue;
    const from = dedupe(list.flatMap((g) => (g.from.length ? g.from : [])));
    const spec: Obj = {
      service: server.service,
      ...(server.selector ? { selector: server.selector } : {}),
      action: 'allow',
      from,
      to: to.map((t) => ({ ...t, ports: [...(t.ports as number[])].sort((a, b) => a - b) })),
    };
    const meta = own ? undefined : takeMetadata(r.ledger, first.ap);
    out.push(
      neutralPolicy('AccessPolicy', neutralMetadata(name, namespace, meta), spec, [
        ...new Set(list.flatMap((g) => [g.ap.ref, g.server.o.ref])),
      ]),
    );
  }
  return out;
}

function routesOf(s: ServerIR, inbound: Map<string, NativeObject>): NativeObject[] {
  return [...inbound.values()].filter(
    (o) =>
      o.namespace === s.o.namespace &&
      ((o.object.spec as Obj).parentRefs as Obj[]).some((p) => p.name === s.o.object.metadata.name),
  );
}

function serverHasRoutes(s: ServerIR, inbound: Map<string, NativeObject>): boolean {
  return routesOf(s, inbound).length > 0;
}

function sourceOf(o: NativeObject, kind: string) {
  const a = o.object.metadata.annotations?.['anymesh.dev/source-policies'];
  if (!a || o.object.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'anymesh') return undefined;
  for (const ref of a.split(',')) {
    const [k, namespace, name] = ref.split('/');
    if (k === kind && namespace && name) return { namespace, name };
  }
  return undefined;
}

/** Servers admitting meshed callers only (and deny Servers anymesh merged a strict policy into). */
function strictPolicies(
  servers: Map<string, ServerIR>,
  grants: readonly Grant[],
  r: LinkerdReader,
): ImportedPolicy[] {
  const option = serverPorts(r.ctx).ports ?? [];
  const groups = new Map<string, { s: ServerIR[]; name: string; namespace: string; own: boolean }>();
  for (const s of servers.values()) {
    const strictSource = s.sources.find((x) => x.kind === 'MTLSPolicy');
    if (s.accessPolicy === 'deny') {
      if (!grants.some((g) => g.server === s)) {
        if (!strictSource) {
          r.lost(
            s.o,
            ['spec'],
            'no authorization the import could say admits callers to this Server (any that target it are reported where they are), and a deny Server refuses every other call to its port, which no neutral policy says',
          );
          continue;
        }
      } else if (!strictSource) continue;
      r.ledger.take(s.o, ['spec', 'accessPolicy']);
    } else if (s.accessPolicy === 'all-unauthenticated') {
      // Linkerd's default: admits every caller, as a neutral service with no policy does.
      r.ledger.take(s.o, ['spec', 'accessPolicy']);
      continue;
    } else if (s.accessPolicy !== 'all-authenticated') {
      r.lost(
        s.o,
        ['spec', 'accessPolicy'],
        `accessPolicy ${s.accessPolicy} has no neutral form (cluster-* admit by network, audit admits and logs)`,
      );
      continue;
    } else r.ledger.take(s.o, ['spec', 'accessPolicy']);
    if (s.port !== undefined && !option.includes(s.port) && !strictSource)
      r.changed(
        s.o,
        ['spec', 'port'],
        `a strict MTLSPolicy covers every port of the service; to compile it back for Linkerd pass --option linkerd.serverPorts=${s.port}`,
      );
    const key = strictSource
      ? `own/${strictSource.namespace}/${strictSource.name}`
      : `${s.o.namespace}/${s.wholeNamespace ? '' : s.service}`;
    const g = groups.get(key) ?? {
      s: [],
      name: strictSource?.name ?? (s.wholeNamespace ? s.o.object.metadata.name : s.service),
      namespace: strictSource?.namespace ?? s.o.namespace,
      own: strictSource !== undefined,
    };
    g.s.push(s);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const s = g.s[0]!;
    const spec: Obj = {
      mode: 'strict',
      ...(s.wholeNamespace ? {} : { service: s.service, ...(s.selector ? { selector: s.selector } : {}) }),
    };
    return neutralPolicy(
      'MTLSPolicy',
      neutralMetadata(g.name, g.namespace),
      spec,
      g.s.map((x) => x.o.ref),
    );
  });
}

/** A Namespace's default inbound policy annotation: all-authenticated is a strict namespace MTLSPolicy. */
function namespaceDefault(ns: NativeObject, r: LinkerdReader): ImportedPolicy | undefined {
  takeMetadata(r.ledger, ns);
  r.ledger.take(ns, ['spec']);
  // Other Linkerd settings of the namespace (injection, proxy configuration) are the mesh's own.
  for (const key of Object.keys(ns.object.metadata.annotations ?? {}))
    if (key.includes('linkerd.io/') && key !== DEFAULT_INBOUND)
      r.lost(
        ns,
        ['metadata', 'annotations', key],
        `${key} configures Linkerd's proxies in the namespace (injection, proxy settings); the target mesh has its own`,
      );
  const path = ['metadata', 'annotations', DEFAULT_INBOUND];
  const v = r.ledger.peek<string>(ns, path);
  const name = ns.object.metadata.name;
  if (v === 'all-authenticated')
    return neutralPolicy('MTLSPolicy', neutralMetadata(`${name}-default-inbound`, name), { mode: 'strict' }, [
      ns.ref,
    ]);
  if (v === 'all-unauthenticated')
    return neutralPolicy(
      'MTLSPolicy',
      neutralMetadata(`${name}-default-inbound`, name),
      { mode: 'permissive' },
      [ns.ref],
    );
  if (v !== undefined)
    r.lost(
      ns,
      path,
      `default inbound policy ${v} has no neutral form (deny refuses every caller no Server admits; cluster-* admit by network; audit admits and logs)`,
    );
  return undefined;
}

/** A Namespace the importer reads: one with Linkerd's default inbound policy annotation. */
export function isAnnotatedNamespace(o: NativeObject): boolean {
  return (
    o.object.apiVersion === 'v1' &&
    o.object.kind === 'Namespace' &&
    o.object.metadata.annotations?.[DEFAULT_INBOUND] !== undefined
  );
}
