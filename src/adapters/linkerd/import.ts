/**
 * Linkerd -> neutral (`anymesh import --from linkerd`): outbound HTTPRoutes and GRPCRoutes with a
 * Service parent + leaf Services + the parent's annotations -> TrafficPolicy (import-routing.ts);
 * ServiceProfiles -> TrafficPolicy (import-profile.ts); Server + AuthorizationPolicy + inbound
 * HTTPRoutes + MeshTLSAuthentication -> AccessPolicy, all-authenticated Servers and the
 * `config.linkerd.io/default-inbound-policy` Namespace annotation -> MTLSPolicy
 * (import-security.ts); HTTPLocalRateLimitPolicy and failure accrual annotations -> BackendPolicy
 * (import-backend.ts); a Server's proxyProtocol -> the protocol of the service's policies
 * (import-protocols.ts). Every policy.linkerd.io version (v1alpha1 ... v1beta3) and Gateway API v1
 * and v1beta1 are read alike: the fields the importer reads are the same in each.
 */
import {
  FieldLedger,
  type ImportContext,
  type ImportedPolicy,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import { ServiceIndex } from '../kit/import-leaves.js';
import { ROUTE_ANNOTATIONS } from './import-annotations.js';
import { ACCRUAL_ANNOTATIONS, importAccrual, importRateLimits } from './import-backend.js';
import { importProfiles, profiledServices } from './import-profile.js';
import { importServerProtocols } from './import-protocols.js';
import { isLinkerdKind, LinkerdReader } from './import-reader.js';
import { importRouting } from './import-routing.js';
import { importSecurity, isAnnotatedNamespace } from './import-security.js';
import { readServers } from './import-servers.js';

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'ReplicaSet', 'Job', 'CronJob'];
/** Workload annotations that are authorization or protocol configuration, not proxy settings. */
const POLICY_ANNOTATIONS = ['config.linkerd.io/default-inbound-policy', 'config.linkerd.io/opaque-ports'];

export function importLinkerd(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new LinkerdReader(ledger, ctx);
  const services = new ServiceIndex(objects);
  const servers = readServers(objects, r);
  const policies: ImportedPolicy[] = [
    ...importRouting(objects, services, r, profiledServices(objects, r)),
    ...importProfiles(objects, r),
    ...importSecurity(objects, servers, r),
    ...importRateLimits(objects, servers, r),
    ...importAccrual(services, r),
  ];
  policies.push(...importServerProtocols(servers, policies, r));
  // Linkerd annotations on the Services read above that nothing imported are reported, not
  // carried silently with the Service's metadata.
  for (const svc of [...services.leaves, ...services.parents]) {
    const leaf = services.leaves.has(svc);
    for (const key of Object.keys(svc.object.metadata.annotations ?? {})) {
      if (!key.includes('linkerd.io/')) continue;
      if (!leaf && (ROUTE_ANNOTATIONS.includes(key) || ACCRUAL_ANNOTATIONS.includes(key))) continue;
      r.lost(
        svc,
        ['metadata', 'annotations', key],
        leaf
          ? `${key} on a leaf Service: Linkerd reads route settings from the parent Service, and a neutral version carries none`
          : `${key} has no neutral form`,
      );
    }
  }
  const read = new Set([...services.leaves, ...services.parents]);
  return ledger.finish(objects, { policies: sortImported(policies) }, (o) => {
    if (isLinkerdKind(o) || read.has(o) || isAnnotatedNamespace(o)) return undefined;
    if (o.object.apiVersion === 'v1' && o.object.kind === 'Service')
      return 'a Service that no route names as parent or version and that carries no Linkerd retry, timeout or failure accrual annotation';
    const text = WORKLOADS.includes(o.object.kind) ? JSON.stringify(o.object) : '';
    if (text.includes('linkerd.io/')) {
      const reason = `a workload, not mesh configuration; its Linkerd annotations (proxy settings, config.linkerd.io/default-inbound-policy) stay on it and have no neutral form`;
      // Listed even when read from a cluster for its port names: what these say (who may call the
      // pods, which ports are opaque) changes with the mesh; injection and proxy tuning do not.
      return POLICY_ANNOTATIONS.some((a) => text.includes(`"${a}"`))
        ? { reason, configuration: true }
        : reason;
    }
    return `${o.object.apiVersion} ${o.object.kind} is not a Linkerd object anymesh imports (HTTPRoute, GRPCRoute, ServiceProfile, Server, AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication, HTTPLocalRateLimitPolicy, and the Services and Namespaces they use)`;
  });
}
