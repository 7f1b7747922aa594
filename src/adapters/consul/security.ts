/**
 * AccessPolicy -> ServiceIntentions and MTLSPolicy -> ServiceDefaults / ProxyDefaults mutualTLSMode
 * (+ Mesh allowEnablingPermissiveMutualTLS).
 *
 * Intentions. All intentions for one destination live in one config entry, so every AccessPolicy for
 * a service merges into one ServiceIntentions, one source per calling service (Consul refuses
 * duplicates). Consul evaluates a source's L7 permissions in order, first match wins, and a request
 * that matches none falls to the ACL default policy, NOT to less specific intentions
 * (hashicorp/consul@v1.16.3 website/content/docs/connect/config-entries/service-intentions.mdx,
 * "Permissions"). Hence, per source:
 *   deny operations first (deny wins), then allow operations, then, when any allow policy governs
 *   the service, a final deny of every path (pathPrefix "/") so that an allow list stays exclusive
 *   whatever the ACL default policy.
 * And when any allow policy governs the service, a wildcard source "*" with action deny makes the
 * allow list exclusive for callers not listed (an exact source name outranks the wildcard,
 * intentions/index.mdx "Precedence and match order").
 *
 * Identities. Consul names callers by service, not by service account: consul-k8s registers a pod
 * under its Kubernetes Service name (or consul.hashicorp.com/connect-service), and with ACLs on it
 * requires the pod's service account to carry that name (developer.hashicorp.com/consul/docs/connect/k8s,
 * "Service names"). So a service account is used as the source service name and we say so (AM4305).
 */

import { mtlsScope } from '../../core/compiler/usage.js';
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy } from '../../core/model/schema.js';
import type { EntrySet, Obj } from './entries.js';
import { consulMessages } from './messages.js';

type Operation = NonNullable<AccessPolicy['spec']['to']>[number];

/** Escapes RE2 metacharacters for a literal part of a pathRegex. */
function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An AccessPolicy path (exact, `/prefix/*`, `*suffix`, `*`) as intention HTTP path fields. */
export function pathFields(path: string): Obj {
  if (path === '*') return { pathPrefix: '/' };
  if (path.endsWith('*')) return { pathPrefix: path.slice(0, -1) };
  if (path.startsWith('*')) return { pathRegex: `.*${reEscape(path.slice(1))}` };
  return { pathExact: path };
}

/** Permissions for a list of operations (any of them), each with the given action. */
function permissions(ops: readonly Operation[], action: 'allow' | 'deny'): Obj[] {
  const out: Obj[] = [];
  for (const op of ops) {
    // Header conditions are the intention's own (name plus one of exact, prefix, regex, present:
    // the ServiceIntentions CRD's header[] fields of the same names, all of which must hold).
    const more = {
      ...(op.methods ? { methods: op.methods } : {}),
      ...(op.headers ? { header: op.headers.map((h) => ({ ...h })) } : {}),
    };
    if (op.paths) for (const path of op.paths) out.push({ action, http: { ...pathFields(path), ...more } });
    else out.push({ action, http: { ...more } });
  }
  return out;
}

interface SourceRules {
  name: string;
  namespace?: string;
  /** undefined: every operation; else the listed operations. */
  allow?: Operation[] | 'all';
  deny?: Operation[] | 'all';
  refs: Set<string>;
}

const merge = (
  prior: Operation[] | 'all' | undefined,
  ops: readonly Operation[] | undefined,
): Operation[] | 'all' => (prior === 'all' || !ops ? 'all' : [...(prior ?? []), ...ops]);

/**
 * A deny of a whole namespace (Enterprise: the source {name: "*", namespace}) holds for every
 * caller of it, those listed by service account too, and a deny of every authenticated caller
 * (`everyone`: the key of the source "*") for every caller; but an exact source name outranks the
 * namespace's wildcard (intentions/index.mdx "Precedence and match order"), so an allow of one of
 * its accounts would let that account through. The wildcard's deny operations go into each such
 * source as well, where deny operations come first.
 */
function denyWholeNamespaces(sources: ReadonlyMap<string, SourceRules>, everyone: string): void {
  const carry = (src: SourceRules, wide: SourceRules | undefined) => {
    if (!wide?.deny || wide === src) return;
    // The description still names only the policies whose callers the source is: the carried
    // deny is the wildcard source's, which names its policy (and imports back to it alone).
    src.deny = merge(src.deny, wide.deny === 'all' ? undefined : wide.deny);
  };
  for (const src of sources.values()) {
    // The same for a deny of every authenticated caller (the source "*", in every namespace).
    carry(src, sources.get(everyone));
    if (src.name !== '*' && src.namespace !== undefined) carry(src, sources.get(`${src.namespace}/*`));
  }
}

export function compileAccess(policies: readonly PolicyDoc<AccessPolicy>[], set: EntrySet): void {
  const ent = set.options.enterprise;
  const groups = new Map<string, PolicyDoc<AccessPolicy>[]>();
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const key = `${p.namespace}/${p.policy.spec.service}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const service = first.policy.spec.service;
    const ns = first.namespace;
    const sources = new Map<string, SourceRules>();
    const accounts = new Set<string>();
    let l7 = false;
    let refused = false;
    for (const p of group) {
      const s = p.policy.spec;
      if (s.to) l7 = true;
      for (const [i, f] of s.from.entries()) {
        let name: string;
        let namespace: string | undefined;
        if (f.authenticated) {
          // Every caller: each has a mesh identity in Consul (its service name).
          name = '*';
          namespace = ent ? '*' : undefined;
        } else if (f.serviceAccount !== undefined) {
          name = f.serviceAccount;
          namespace = ent ? (f.namespace ?? p.namespace) : undefined;
          accounts.add(name);
        } else if (ent) {
          // Every caller in the namespace: the wildcard name, scoped to the mirrored Consul namespace.
          name = '*';
          namespace = f.namespace!;
        } else {
          refused = true;
          set.report(
            makeDiagnostic(
              consulMessages.NamespaceNeedsEnterprise,
              { namespace: f.namespace ?? '' },
              p.at(['spec', 'from', i, 'namespace']),
            ),
          );
          continue;
        }
        const key = `${namespace ?? ''}/${name}`;
        const rules = sources.get(key) ?? {
          name,
          ...(namespace ? { namespace } : {}),
          refs: new Set<string>(),
        };
        if (s.action === 'allow') rules.allow = merge(rules.allow, s.to);
        else rules.deny = merge(rules.deny, s.to);
        rules.refs.add(p.ref);
        sources.set(key, rules);
      }
    }
    if (refused) continue;
    const everyone = ent ? '*/*' : '/*';
    denyWholeNamespaces(sources, everyone);
    const at = first.at(['spec', 'service']);
    // Every policy of the group claims the entry, so each is named in its annotation (and each
    // collides on its own position on Community Edition).
    let spec: Obj | undefined;
    let collided = false;
    for (const p of group) {
      const claimed = set.claim('ServiceIntentions', service, ns, p, p.at(['spec', 'service']));
      if (claimed) spec = claimed;
      else collided = true;
    }
    if (collided || !spec) continue;
    if (l7) {
      if (!set.httpService(service, ns, first, at)) continue;
      set.report(makeDiagnostic(consulMessages.L7Protocol, { services: service }, at));
    }
    const exclusive = group.some((p) => p.policy.spec.action === 'allow');
    const out: Obj[] = [];
    const ordered = [...sources.values()].sort(
      (a, b) =>
        Number(a.name === '*') - Number(b.name === '*') ||
        a.name.localeCompare(b.name) ||
        (a.namespace ?? '').localeCompare(b.namespace ?? ''),
    );
    for (const src of ordered) {
      const head: Obj = { name: src.name, ...(src.namespace ? { namespace: src.namespace } : {}) };
      const description = `anymesh: ${[...src.refs].sort().join(', ')}`.slice(0, 512);
      let action: string | undefined;
      let perms: Obj[] | undefined;
      if (src.deny === 'all' || (exclusive && !src.allow)) action = 'deny';
      else if (src.allow === 'all' && !src.deny) action = 'allow';
      else {
        perms = [
          ...(src.deny ? permissions(src.deny, 'deny') : []),
          ...(src.allow === 'all'
            ? [{ action: 'allow', http: { pathPrefix: '/' } }]
            : src.allow
              ? permissions(src.allow, 'allow')
              : []),
          ...(exclusive && src.allow !== 'all' ? [{ action: 'deny', http: { pathPrefix: '/' } }] : []),
        ];
      }
      out.push({ ...head, ...(action ? { action } : { permissions: perms }), description });
    }
    // An allow of every authenticated caller is the wildcard source itself.
    if (exclusive && !sources.has(everyone)) {
      out.push({
        name: '*',
        ...(ent ? { namespace: '*' } : {}),
        action: 'deny',
        description: 'anymesh: callers not allowed by an allow AccessPolicy are denied',
      });
    }
    spec.destination = { name: service, ...(ent ? { namespace: ns } : {}) };
    spec.sources = out;
    if (accounts.size) {
      set.report(
        makeDiagnostic(
          consulMessages.ServiceIdentity,
          { accounts: [...accounts].sort().join(', ') },
          first.at(['spec', 'from']),
        ),
      );
    }
  }
}

export function compileMtls(policies: readonly PolicyDoc<MTLSPolicy>[], set: EntrySet): void {
  const permissive: PolicyDoc<MTLSPolicy>[] = [];
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const scope = mtlsScope(p.policy);
    const mode = p.policy.spec.mode;
    const at = p.at(['spec', 'mode']);
    // Namespace scope is `none` in the column, so the compiler never passes it here; one mode per
    // scope is a mesh-neutral rule the compiler has already enforced.
    const spec =
      scope === 'mesh'
        ? set.claim('ProxyDefaults', 'global', set.options.globalNamespace, p, at, true)
        : set.claim('ServiceDefaults', p.policy.spec.service!, p.namespace, p, at);
    if (!spec) continue;
    spec.mutualTLSMode = mode;
    if (mode === 'permissive') permissive.push(p);
  }
  if (!permissive.length) return;
  // One Mesh entry per datacenter, in the global namespace, naming every permissive policy.
  for (const p of permissive) {
    const mesh = set.claim('Mesh', 'mesh', set.options.globalNamespace, p, p.at(['spec', 'mode']), true);
    if (mesh) mesh.allowEnablingPermissiveMutualTLS = true;
    const scope = mtlsScope(p.policy);
    set.report(
      makeDiagnostic(
        consulMessages.PermissiveMesh,
        {
          what: scope === 'mesh' ? 'the whole mesh' : `service ${p.policy.spec.service}`,
          namespace: set.options.globalNamespace,
        },
        p.at(['spec', 'mode']),
      ),
    );
  }
}
