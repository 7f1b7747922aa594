/**
 * Client side of TLS: a caller's Envoy originates TLS to a backend only when the caller's
 * VirtualNode says so (`spec.backends[].virtualService.clientPolicy.tls`). anymesh knows the
 * callers it generates (their backends come from `appmesh.backends.<ns>.<service>`), so it sets
 * client TLS there for every backend whose listeners now use TLS; every other caller must be
 * configured by its owner, which an info diagnostic (AM4419) says once per service. With file
 * certificates the server certificate must name the VirtualNode's DNS hostname (AWS TLS guide,
 * "Certificate requirements"); with SDS the client checks the servers' SPIFFE IDs instead.
 */
import type { CompileContext } from '../../core/adapter.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import { APPMESH_MESSAGES } from './messages.js';
import { type ServicePlan, serviceKey } from './plan.js';
import { clientTls, materialFor } from './tls.js';

export function compileClientTls(plans: ReadonlyMap<string, ServicePlan>, ctx: CompileContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const plan of plans.values()) {
    const server = plan.nodes.find((n) => n.listenerTls && n.tlsFrom);
    if (!server) continue;
    const strict = plan.nodes.some(
      (n) => (n.listenerTls as { mode?: string } | undefined)?.mode === 'STRICT',
    );
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.ClientTlsNotGenerated,
        { service: plan.service, strict: strict ? ', or their calls are refused (STRICT)' : '' },
        server.tlsFrom!.at(server.tlsFrom!.kind === 'AccessPolicy' ? ['spec', 'action'] : ['spec', 'mode']),
      ),
    );
  }
  for (const plan of plans.values()) {
    for (const node of plan.nodes) {
      for (const backend of node.backends) {
        const target = plans.get(serviceKey(backend.namespace, backend.name));
        const server = target?.nodes.find((n) => n.listenerTls && n.tlsFrom);
        if (!server) continue;
        const serverMaterial = materialFor(ctx, server.tlsFrom, server);
        if ('missing' in serverMaterial) continue;
        // SPIRE certificates name the workload by SPIFFE ID, not by DNS: list every server node's.
        const names =
          serverMaterial.source === 'sds'
            ? [
                ...new Set(
                  target!.nodes.flatMap((n) => {
                    const m = n.listenerTls && n.tlsFrom ? materialFor(ctx, n.tlsFrom, n) : undefined;
                    return m && 'source' in m && m.source === 'sds' ? [m.secretName] : [];
                  }),
                ),
              ].sort()
            : [];
        backend.clientTls = clientTls(
          serverMaterial,
          materialFor(ctx, node.tlsFrom ?? server.tlsFrom, node),
          names,
        );
      }
    }
  }
  return diagnostics;
}
