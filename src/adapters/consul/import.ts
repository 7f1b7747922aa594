/**
 * Consul -> neutral (`anymesh import --from consul`), from consul-k8s CRDs
 * (consul.hashicorp.com/v1alpha1): ServiceRouter + ServiceSplitter + ServiceResolver -> TrafficPolicy
 * (import-routing.ts), ServiceIntentions -> AccessPolicy, `mutualTLSMode` -> MTLSPolicy
 * (import-security.ts), resolver balancing and timeouts, rate limits and upstream limits ->
 * BackendPolicy (import-backend.ts). What is left of ServiceDefaults, ProxyDefaults and Mesh is read
 * here: `protocol: http` is taken where the imported policies make the service L7 (a compile writes
 * it again there), the permissive switch of the Mesh entry where a permissive policy needs it.
 */
import {
  FieldLedger,
  type ImportContext,
  type ImportedPolicy,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import { neutralMetadata, neutralPolicy } from '../kit/import-kit.js';
import { importBackend } from './import-backend.js';
import { AGENT_SETTINGS } from './import-config-entry.js';
import { ConsulReader, IMPORTED_KINDS, isConsul, isKind, type Obj } from './import-reader.js';
import { type ChainProtocol, importRouting } from './import-routing.js';
import { importIntentions, importMtls } from './import-security.js';

export function importConsul(input: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new ConsulReader(ledger, ctx);
  const objects = firstOfEach(input, r);
  const routing = importRouting(objects, r);
  const http = routing.http;
  const access = importIntentions(objects, r, http);
  const mtls = importMtls(objects, r);
  const backend = importBackend(objects, r, http);
  const routed = [...routing.policies, ...access, ...mtls, ...backend];
  const declared = defaults(objects, r, http, routing.chains, routing.virtual, mtls, routed);
  const policies: ImportedPolicy[] = [...routed, ...declared];
  return ledger.finish(input, { policies: sortImported(policies) }, (o) =>
    IMPORTED_KINDS.some((k) => isKind(o, k))
      ? undefined
      : o.object.kind === AGENT_SETTINGS && isConsul(o)
        ? "the Consul agent's own settings (datacenter, ports, ACLs) are not config entries; the entries of its config_entries.bootstrap are imported"
        : isConsul(o)
          ? `Consul ${o.object.kind} has no neutral form (gateways, exported services, peering, JWT providers and the like describe the mesh, not calls to a service)`
          : `${o.object.apiVersion} ${o.object.kind} is not a Consul config entry`,
  );
}

/**
 * One config entry per kind and name (per namespace): a second object for the same entry (two
 * versions of a splitter in one folder) would replace the first when applied, so only the first is
 * read and the others are reported.
 */
function firstOfEach(objects: readonly NativeObject[], r: ConsulReader): NativeObject[] {
  const first = new Map<string, NativeObject>();
  return objects.filter((o) => {
    if (!isConsul(o)) return true;
    const k = o.ref;
    const prior = first.get(k);
    if (!prior) {
      first.set(k, o);
      return true;
    }
    r.meta(o);
    const where = prior.locate([]);
    r.lost(
      o,
      ['spec'],
      `${o.ref} is given twice (first at ${where.file}:${where.line}:${where.col}): Consul keeps one ${o.object.kind} per name, so only the first is imported`,
    );
    return false;
  });
}

const SERVICE_DEFAULTS = ['protocol', 'mutualTLSMode', 'upstreamConfig', 'rateLimits'];

function defaults(
  objects: readonly NativeObject[],
  r: ConsulReader,
  http: Set<string>,
  chains: ReadonlyMap<string, ChainProtocol>,
  virtual: Set<string>,
  mtls: readonly ImportedPolicy[],
  others: readonly ImportedPolicy[],
): ImportedPolicy[] {
  const permissive = mtls.some((p) => p.policy.spec.mode === 'permissive');
  const out: ImportedPolicy[] = [];
  for (const o of objects) {
    if (isKind(o, 'ServiceDefaults')) {
      const name = r.meta(o).name;
      r.rest(o, ['spec'], SERVICE_DEFAULTS, 'ServiceDefaults');
      const k = `${o.namespace}/${name}`;
      const l7 = http.has(k) || virtual.has(k);
      const p = r.ledger.peek<string>(o, ['spec', 'protocol']);
      if (!l7 && isHttpBased(p)) out.push(protocolOnly(o, r, p, [...others, ...out]));
      else protocol(o, ['spec', 'protocol'], r, l7 ? (chains.get(k) ?? 'http') : undefined, name);
    } else if (isKind(o, 'ProxyDefaults')) {
      r.meta(o);
      r.rest(o, ['spec'], ['mutualTLSMode', 'config'], 'ProxyDefaults');
      const config = r.ledger.peek<Obj>(o, ['spec', 'config']);
      if (config) {
        r.rest(o, ['spec', 'config'], ['protocol'], 'ProxyDefaults config (Envoy settings)');
        const global = r.ledger.peek<string>(o, ['spec', 'config', 'protocol']);
        // The global protocol is what every imported policy's chain needs only when they all agree.
        const wanted = new Set([...http].map((k) => chains.get(k) ?? 'http'));
        const l7 = http.size ? (wanted.size === 1 ? [...wanted][0] : global) : undefined;
        protocol(o, ['spec', 'config', 'protocol'], r, l7, 'every service');
      }
    } else if (isKind(o, 'Mesh')) {
      r.meta(o);
      r.rest(o, ['spec'], ['allowEnablingPermissiveMutualTLS'], 'Mesh');
      r.takeDefault(
        o,
        ['spec', 'allowEnablingPermissiveMutualTLS'],
        (v) => v === false || permissive,
        'the switch that lets services be permissive, with no permissive service imported: a compile writes it only with a permissive MTLSPolicy',
      );
    }
  }
  return out;
}

/** Consul's HTTP-based protocols, each a neutral protocol of the same name. */
const HTTP_BASED = ['http', 'http2', 'grpc'] as const;
type HttpBased = (typeof HTTP_BASED)[number];
const isHttpBased = (p: string | undefined): p is HttpBased =>
  (HTTP_BASED as readonly (string | undefined)[]).includes(p);

/** How the imported policies name a protocol in a message. */
const PROTOCOL_WORD: Record<string, string> = { http: 'HTTP', http2: 'HTTP/2', grpc: 'gRPC' };

/**
 * `protocol: http` (or http2, grpc) on a service no imported policy routes or authorizes: what the
 * neutral model says with a TrafficPolicy of that protocol whose one rule sends every call to the
 * service itself, which a compile writes back as the same ServiceDefaults protocol and nothing else
 * (consul routing.ts writes no router for a lone catch-all to the service itself; Consul's
 * discovery chain then routes to the service, as with no router: agent/consul/discoverychain).
 */
function protocolOnly(
  o: NativeObject,
  r: ConsulReader,
  p: HttpBased,
  others: readonly ImportedPolicy[],
): ImportedPolicy {
  const meta = r.meta(o);
  r.ledger.take(o, ['spec', 'protocol']);
  const src = r.sources(o, 'TrafficPolicy')[0];
  const taken = (n: string) =>
    others.some((x) => x.policy.metadata.name === n && x.policy.metadata.namespace === o.namespace);
  const name = src?.name ?? (taken(meta.name) ? `${meta.name}-protocol` : meta.name);
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(name, o.namespace, src ? undefined : meta),
    { service: meta.name, protocol: p, rules: [{}] },
    [o.ref],
  );
}

/**
 * `protocol`: http, http2 or grpc where the imported policies need it (the compile writes it there
 * again: grpc / http2 for the chain of a gRPC / HTTP/2 policy, http for every other L7 policy); the default tcp where they
 * do not; anything else changes what the proxies speak, which the neutral policies do not say.
 */
function protocol(
  o: NativeObject,
  at: (string | number)[],
  r: ConsulReader,
  l7: string | undefined,
  what: string,
): void {
  const p = r.ledger.peek<string>(o, at);
  if (p === undefined) return;
  if ((l7 !== undefined && p === l7) || ((p === 'tcp' || p === '') && l7 === undefined)) r.ledger.take(o, at);
  else if (isHttpBased(p) && l7 === undefined)
    r.lost(
      o,
      at,
      `protocol ${p} for ${what} with no imported policy that routes or authorizes by ${PROTOCOL_WORD[p]}: a compile would leave the protocol at Consul's default (tcp)`,
    );
  else if (l7 !== undefined)
    r.changed(
      o,
      at,
      `protocol ${p}: the imported policies are ${PROTOCOL_WORD[l7] ?? l7} routing or L7 authorization, for which a compile writes protocol ${l7}`,
    );
  else
    r.lost(
      o,
      at,
      `protocol ${p} has no neutral form (Consul's protocols are tcp, http, http2 and grpc, each read as the neutral protocol of its name)`,
    );
}
