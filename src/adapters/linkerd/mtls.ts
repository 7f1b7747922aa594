/**
 * MTLSPolicy -> Servers. Linkerd always uses mTLS between meshed pods and has no mode switch; what an
 * Istio STRICT mode does (refuse plaintext) is an inbound authorization default in Linkerd:
 * `all-authenticated` admits only callers with a mesh (mTLS) identity
 * (https://linkerd.io/2/reference/authorization-policy/#default-policies).
 *
 * That default can be set per workload or namespace with the annotation
 * `config.linkerd.io/default-inbound-policy`, or per port with a Server's `accessPolicy`. anymesh uses
 * Servers, since they are resources it can own and prune; the annotation would mean patching
 * Namespaces or workloads that anymesh does not own (applying a Namespace object makes it an anymesh
 * object that prune or delete would remove, with everything in it). A Server needs a container port,
 * which MTLSPolicy does not name: the ports come from the `linkerd.serverPorts` option.
 *
 * permissive is Linkerd's default (`all-unauthenticated`): nothing is emitted.
 */
import type { CompileContext } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import { mtlsScope } from '../../core/compiler/usage.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { MTLSPolicy } from '../../core/model/schema.js';
import { linkerdDiag } from './native.js';
import { SERVER_PORTS_OPTION } from './options.js';
import type { ServerRegistry } from './servers.js';

/** The container ports of the `linkerd.serverPorts` option, or the reason they are not valid. */
export function serverPorts(ctx: CompileContext): { ports?: number[]; error?: string } {
  const raw = ctx.options[SERVER_PORTS_OPTION];
  if (raw === undefined) return {};
  const parts = raw.split(',').map((s) => s.trim());
  const ports = parts.map(Number);
  const bad = parts.find((s, i) => !/^[0-9]+$/.test(s) || ports[i]! < 1 || ports[i]! > 65535);
  if (bad !== undefined)
    return {
      error: `${JSON.stringify(bad)} is not a port; give container ports 1-65535 separated by commas, e.g. 8080,9090`,
    };
  return { ports: [...new Set(ports)].sort((a, b) => a - b) };
}

export function compileMtls(
  policies: readonly PolicyDoc<MTLSPolicy>[],
  servers: ServerRegistry,
  ctx: CompileContext,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const option = serverPorts(ctx);
  let optionReported = false;
  for (const p of policies) {
    const scope = mtlsScope(p.policy);
    if (scope === 'mesh') throw new Error(`${p.ref}: mesh scope reached the Linkerd adapter`);
    // permissive is Linkerd's default inbound policy: nothing to emit (the partial cell's AM3003
    // warning says so and names what could make the cluster differ).
    if (p.policy.spec.mode === 'permissive') continue;
    if (option.error) {
      if (!optionReported) {
        diagnostics.push(
          linkerdDiag('BadOption', {
            option: SERVER_PORTS_OPTION,
            value: ctx.options[SERVER_PORTS_OPTION]!,
            reason: option.error,
          }),
        );
      }
      optionReported = true;
      continue;
    }
    if (!option.ports) {
      diagnostics.push(linkerdDiag('ServerPortsRequired', {}, p.at(['spec', 'mode'])));
      continue;
    }
    if (scope === 'service') {
      const service = p.policy.spec.service!;
      const sel = resolveSelector(p, service);
      if (sel.diagnostic) diagnostics.push(sel.diagnostic);
      for (const port of option.ports) {
        servers.request({
          doc: p,
          namespace: p.namespace,
          port,
          purpose: 'strict',
          service,
          selector: sel.labels,
        });
      }
    } else {
      for (const port of option.ports)
        servers.request({ doc: p, namespace: p.namespace, port, purpose: 'strict' });
    }
  }
  return diagnostics;
}
