/**
 * AccessPolicy (allow) -> Server per port (servers.ts), MeshTLSAuthentication (who), and
 * AuthorizationPolicy (`policy.linkerd.io/v1alpha1`) per port; operations with methods, paths or
 * headers get an inbound HTTPRoute (`policy.linkerd.io/v1beta3`, parentRef the Server) that the AuthorizationPolicy
 * targets instead of the Server (https://linkerd.io/2/reference/authorization-policy/).
 *
 * Linkerd authorization is allow-only; deny is refused by the capability column. Several
 * AccessPolicies for one service add up, as ALLOW policies do in Istio: every AuthorizationPolicy on a
 * Server or on one of its routes allows its callers.
 *
 * Once a Server has an HTTPRoute, requests matching no route are refused. So when a Server has both
 * route-level allows (methods, paths, headers) and Server-level allows (none of those), anymesh adds a
 * catch-all route, or the Server-level callers would lose every path no route names.
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy } from '../../core/model/schema.js';
import { gatewayHeaderMatch } from '../kit/gateway-api.js';
import { anchored, escapeRegex, linkerdDiag, type Obj } from './native.js';
import { type ServerRegistry, serverName } from './servers.js';

const POLICY_GROUP = 'policy.linkerd.io';
/** Linkerd's HTTPRoute CRD allows 8 matches per rule and 16 rules per route. */
const MATCHES_PER_RULE = 8;
const RULES_PER_ROUTE = 16;

/** An AccessPolicy path (`/exact`, `/prefix/*`, `*suffix`, `*`) as an inbound route path match. */
export function accessPath(path: string): Obj | undefined {
  if (path === '*') return undefined;
  // Istio-style wildcards are plain string prefixes and suffixes; a PathPrefix would match whole
  // segments only (and /reviews/ would also match /reviews), so they become anchored expressions.
  if (path.startsWith('*'))
    return { type: 'RegularExpression', value: anchored(`.*${escapeRegex(path.slice(1))}`) };
  if (path.endsWith('*'))
    return { type: 'RegularExpression', value: anchored(`${escapeRegex(path.slice(0, -1))}.*`) };
  return { type: 'Exact', value: path };
}

/** A set of authentications one AuthorizationPolicy requires (all of them), and their objects. */
interface Authentication {
  /** Appended to the AuthorizationPolicy name: '' for the identities, as before networks existed. */
  suffix: string;
  refs: Obj[];
  objects: KubeObject[];
}

/**
 * The neutral callers (any of them) as Linkerd authentications. An AuthorizationPolicy requires
 * every authentication it names, and at most one NetworkAuthentication (policy-controller
 * k8s/index/src/inbound/index.rs: "policy must not include multiple NetworkAuthentications"), so:
 * callers by identity share one MeshTLSAuthentication (its identities are any of), callers by
 * network alone share one NetworkAuthentication (its networks are any of), and a caller with both
 * gets its own pair; each set is authorized by an AuthorizationPolicy of its own.
 */
function authentications(p: PolicyDoc<AccessPolicy>): Authentication[] {
  const s = p.policy.spec;
  const identityRef = (f: AccessPolicy['spec']['from'][number]): Obj =>
    f.serviceAccount !== undefined
      ? { kind: 'ServiceAccount', name: f.serviceAccount, namespace: f.namespace ?? p.namespace }
      : { kind: 'Namespace', name: f.namespace };
  const network = (f: AccessPolicy['spec']['from'][number]): Obj => ({
    cidr: f.ipBlock!.cidr,
    ...(f.ipBlock!.except ? { except: f.ipBlock!.except } : {}),
  });
  // Any authenticated client is the identity "*", which covers every other identity; the CRD
  // takes identities or identityRefs, not both.
  const meshTls = (name: string, identityRefs: Obj[], anyIdentity = false): KubeObject => ({
    apiVersion: `${POLICY_GROUP}/v1alpha1`,
    kind: 'MeshTLSAuthentication',
    metadata: outputMetadata(name, p.namespace, [p]),
    spec: anyIdentity ? { identities: ['*'] } : { identityRefs },
  });
  const networkAuthn = (name: string, networks: Obj[]): KubeObject => ({
    apiVersion: `${POLICY_GROUP}/v1alpha1`,
    kind: 'NetworkAuthentication',
    metadata: outputMetadata(name, p.namespace, [p]),
    spec: { networks },
  });
  const ref = (kind: string, name: string) => ({ group: POLICY_GROUP, kind, name });
  const unique = (objs: Obj[]) => [...new Map(objs.map((o) => [JSON.stringify(o), o])).values()];
  const out: Authentication[] = [];
  const byIdentity = s.from.filter((f) => !f.ipBlock);
  const identities = unique(byIdentity.filter((f) => !f.authenticated).map(identityRef));
  const anyIdentity = byIdentity.some((f) => f.authenticated);
  if (identities.length || anyIdentity)
    out.push({
      suffix: '',
      refs: [ref('MeshTLSAuthentication', p.name)],
      objects: [meshTls(p.name, identities, anyIdentity)],
    });
  const networks = unique(
    s.from
      .filter(
        (f) => f.ipBlock && f.namespace === undefined && f.serviceAccount === undefined && !f.authenticated,
      )
      .map(network),
  );
  if (networks.length) {
    const name = `${p.name}-networks`;
    out.push({
      suffix: '-networks',
      refs: [ref('NetworkAuthentication', name)],
      objects: [networkAuthn(name, networks)],
    });
  }
  // Numbered in their order among the callers with both (what the importer sorts them back by).
  s.from
    .filter(
      (f) => f.ipBlock && (f.namespace !== undefined || f.serviceAccount !== undefined || f.authenticated),
    )
    .forEach((f, k) => {
      const name = `${p.name}-from-${k}`;
      const identity = f.authenticated ? meshTls(name, [], true) : meshTls(name, [identityRef(f)]);
      out.push({
        suffix: `-from-${k}`,
        refs: [ref('MeshTLSAuthentication', name), ref('NetworkAuthentication', name)],
        objects: [identity, networkAuthn(name, [network(f)])],
      });
    });
  return out;
}

interface ServerUse {
  namespace: string;
  port: number;
  routes: boolean;
  serverLevel: boolean;
  sources: PolicyDoc[];
}

export function compileAccess(
  policies: readonly PolicyDoc<AccessPolicy>[],
  servers: ServerRegistry,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const uses = new Map<string, ServerUse>();

  for (const p of policies) {
    const s = p.policy.spec;
    if (s.action !== 'allow') throw new Error(`${p.ref}: deny reached the Linkerd adapter`);
    const to = s.to ?? [];
    const missing = to.length === 0 ? -1 : to.findIndex((t) => !t.ports?.length);
    if (to.length === 0 || missing >= 0) {
      const index = Math.max(missing, 0);
      diagnostics.push(
        linkerdDiag(
          'AccessPortsRequired',
          { service: s.service, index },
          p.at(to.length === 0 ? ['spec', 'service'] : ['spec', 'to', index]),
        ),
      );
      continue;
    }
    const sel = resolveSelector(p, s.service);
    if (sel.diagnostic) diagnostics.push(sel.diagnostic);

    const authns = authentications(p);
    resources.push(...authns.flatMap((a) => a.objects));
    const authorize = (name: string, targetRef: Obj) => {
      for (const a of authns)
        resources.push({
          apiVersion: `${POLICY_GROUP}/v1alpha1`,
          kind: 'AuthorizationPolicy',
          metadata: outputMetadata(`${name}${a.suffix}`, p.namespace, [p]),
          spec: { targetRef, requiredAuthenticationRefs: a.refs },
        });
    };

    const serverLevelDone = new Set<number>();
    to.forEach((t, i) => {
      for (const port of [...new Set(t.ports!)].sort((a, b) => a - b)) {
        const server = serverName(s.service, port);
        servers.request({
          doc: p,
          namespace: p.namespace,
          port,
          purpose: 'access',
          service: s.service,
          selector: sel.labels,
        });
        const useKey = `${p.namespace}/${server}`;
        const use = uses.get(useKey) ?? {
          namespace: p.namespace,
          port,
          routes: false,
          serverLevel: false,
          sources: [],
        };
        if (!use.sources.includes(p)) use.sources.push(p);
        uses.set(useKey, use);
        const serverRef = { group: POLICY_GROUP, kind: 'Server', name: server };
        if (!t.methods && !t.paths && !t.headers) {
          use.serverLevel = true;
          if (serverLevelDone.has(port)) continue;
          serverLevelDone.add(port);
          authorize(`${p.name}-${port}`, serverRef);
          continue;
        }
        use.routes = true;
        const matches: Obj[] = [];
        for (const path of t.paths ?? ['*']) {
          for (const method of t.methods ?? [undefined]) {
            const pm = accessPath(path);
            matches.push({
              ...(pm ? { path: pm } : {}),
              ...(t.headers ? { headers: t.headers.map(gatewayHeaderMatch) } : {}),
              ...(method ? { method } : {}),
            });
          }
        }
        const rules: Obj[] = [];
        for (let k = 0; k < matches.length; k += MATCHES_PER_RULE)
          rules.push({ matches: matches.slice(k, k + MATCHES_PER_RULE) });
        if (rules.length > RULES_PER_ROUTE) {
          diagnostics.push(
            linkerdDiag(
              'TooManyMatches',
              {
                what: `spec.to[${i}] (paths x methods)`,
                count: matches.length,
                limit: MATCHES_PER_RULE * RULES_PER_ROUTE,
                why: "Linkerd's HTTPRoute CRD: 16 rules of 8 matches",
              },
              p.at(['spec', 'to', i]),
            ),
          );
          continue;
        }
        const routeName = `${p.name}-${port}-${i}`;
        resources.push({
          apiVersion: `${POLICY_GROUP}/v1beta3`,
          kind: 'HTTPRoute',
          metadata: outputMetadata(routeName, p.namespace, [p]),
          spec: { parentRefs: [serverRef], rules },
        });
        authorize(routeName, { group: POLICY_GROUP, kind: 'HTTPRoute', name: routeName });
      }
    });
  }

  for (const [key, use] of [...uses.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!use.routes) continue;
    const server = key.slice(key.indexOf('/') + 1);
    const first = use.sources[0]!;
    diagnostics.push(linkerdDiag('InboundRoutes', { server, port: use.port }, first.at(['spec', 'to'])));
    if (use.serverLevel) {
      resources.push({
        apiVersion: `${POLICY_GROUP}/v1beta3`,
        kind: 'HTTPRoute',
        metadata: outputMetadata(`${server}-all`, use.namespace, use.sources),
        spec: {
          parentRefs: [{ group: POLICY_GROUP, kind: 'Server', name: server }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
        },
      });
    }
  }
  return { resources, diagnostics };
}
