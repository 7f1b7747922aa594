/**
 * AccessPolicy (allow) -> Server per port (servers.ts), MeshTLSAuthentication (who), and
 * AuthorizationPolicy (`policy.linkerd.io/v1alpha1`) per port; operations with methods or paths get an
 * inbound HTTPRoute (`policy.linkerd.io/v1beta3`, parentRef the Server) that the AuthorizationPolicy
 * targets instead of the Server (https://linkerd.io/2/reference/authorization-policy/).
 *
 * Linkerd authorization is allow-only; deny is refused by the capability column. Several
 * AccessPolicies for one service add up, as ALLOW policies do in Istio: every AuthorizationPolicy on a
 * Server or on one of its routes allows its callers.
 *
 * Once a Server has an HTTPRoute, requests matching no route are refused. So when a Server has both
 * route-level allows (methods/paths) and Server-level allows (no methods/paths), anymesh adds a
 * catch-all route, or the Server-level callers would lose every path no route names.
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy } from '../../core/model/schema.js';
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

    const identityRefs: Obj[] = [];
    const seen = new Set<string>();
    for (const f of s.from) {
      const ref: Obj =
        f.serviceAccount !== undefined
          ? { kind: 'ServiceAccount', name: f.serviceAccount, namespace: f.namespace ?? p.namespace }
          : { kind: 'Namespace', name: f.namespace };
      const key = JSON.stringify(ref);
      if (!seen.has(key)) identityRefs.push(ref);
      seen.add(key);
    }
    resources.push({
      apiVersion: `${POLICY_GROUP}/v1alpha1`,
      kind: 'MeshTLSAuthentication',
      metadata: outputMetadata(p.name, p.namespace, [p]),
      spec: { identityRefs },
    });
    const authn = [{ group: POLICY_GROUP, kind: 'MeshTLSAuthentication', name: p.name }];
    const authorize = (name: string, targetRef: Obj) =>
      resources.push({
        apiVersion: `${POLICY_GROUP}/v1alpha1`,
        kind: 'AuthorizationPolicy',
        metadata: outputMetadata(name, p.namespace, [p]),
        spec: { targetRef, requiredAuthenticationRefs: authn },
      });

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
        if (!t.methods && !t.paths) {
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
            matches.push({ ...(pm ? { path: pm } : {}), ...(method ? { method } : {}) });
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
