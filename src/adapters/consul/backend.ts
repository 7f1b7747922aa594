/**
 * BackendPolicy -> the destination's ServiceResolver (`connectTimeout`, `loadBalancer`) and, on
 * Consul Enterprise, its ServiceDefaults (`rateLimits.instanceLevel`), merged into the entries
 * routing already claimed (EntrySet: one config entry per service). Passive health checks and
 * limits are caller-side in Consul (UpstreamConfig in each caller's ServiceDefaults) and are
 * refused by the capability column before this point (backend-capabilities.ts).
 *
 * Field names from the consul-k8s v2.0.3 CRDs (shared/crds/consul); policy names as Consul's
 * service-resolver reference spells them (round_robin, least_request, random, ring_hash).
 * Hash policies on a header or cookie are L7, so the service gets protocol http.
 */
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendPolicy } from '../../core/model/schema.js';
import type { EntrySet, Obj } from './entries.js';

const dur = (text: string) => formatDuration(durationMs(text));

const POLICY = {
  roundRobin: 'round_robin',
  leastRequest: 'least_request',
  random: 'random',
  consistentHash: 'ring_hash',
} as const;

function loadBalancer(lb: NonNullable<BackendPolicy['spec']['loadBalancer']>): Obj {
  const hash = lb.consistentHash;
  if (lb.policy !== 'consistentHash' || !hash) return { policy: POLICY[lb.policy] };
  let policy: Obj;
  if (hash.header !== undefined) policy = { field: 'header', fieldValue: hash.header };
  else if (hash.cookie) {
    const c = hash.cookie;
    // Without a ttl the proxy sets a session cookie (CookieConfig.Session), as the model says.
    policy = {
      field: 'cookie',
      fieldValue: c.name,
      cookieConfig: {
        ...(c.ttl !== undefined ? { ttl: dur(c.ttl) } : { session: true }),
        ...(c.path !== undefined ? { path: c.path } : {}),
      },
    };
  } else policy = { sourceIP: true };
  return { policy: POLICY.consistentHash, hashPolicies: [policy] };
}

export function compileBackend(policies: readonly PolicyDoc<BackendPolicy>[], set: EntrySet): void {
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const spec = p.policy.spec;
    const at = p.at(['spec', 'service']);
    const timeout = spec.connectionLimits?.connectTimeout;
    if (spec.loadBalancer || timeout !== undefined) {
      const resolver = set.claim('ServiceResolver', spec.service, p.namespace, p, at);
      if (resolver) {
        if (timeout !== undefined) resolver.connectTimeout = dur(timeout);
        if (spec.loadBalancer) resolver.loadBalancer = loadBalancer(spec.loadBalancer);
      }
      const hash = spec.loadBalancer?.consistentHash;
      if (hash?.header !== undefined || hash?.cookie) set.httpService(spec.service, p.namespace, p, at);
    }
    if (spec.rateLimit) {
      // Enterprise only (the column refuses it on Community Edition); per instance, inbound, and
      // for HTTP requests ("the rate of HTTP requests a service receives"), hence protocol http.
      set.httpService(spec.service, p.namespace, p, at);
      const defaults = set.claim('ServiceDefaults', spec.service, p.namespace, p, at);
      if (defaults) {
        defaults.rateLimits = {
          instanceLevel: {
            requestsPerSecond: spec.rateLimit.requestsPerSecond,
            ...(spec.rateLimit.burst !== undefined ? { requestsMaxBurst: spec.rateLimit.burst } : {}),
          },
        };
      }
    }
  }
}
