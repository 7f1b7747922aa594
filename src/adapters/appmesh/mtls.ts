/**
 * MTLSPolicy -> listener TLS on the VirtualNodes anymesh generates.
 *
 * App Mesh sets TLS per virtual node listener (`spec.listeners[].tls.mode` STRICT | PERMISSIVE);
 * it has no namespace- or mesh-wide switch, so a namespace or mesh policy is applied to each
 * generated node it covers, and the most specific policy wins (service over namespace over mesh,
 * as in Istio). Every mode needs a certificate source (the CRD requires `tls.certificate`):
 * without one the policy is refused (AM4414), never dropped.
 */
import type { CompileContext } from '../../core/adapter.js';
import { mtlsScope } from '../../core/compiler/usage.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { MTLSPolicy } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import type { NodePlan, ServicePlan } from './plan.js';
import { listenerTls, materialFor } from './tls.js';

const RANK = { service: 0, namespace: 1, mesh: 2 } as const;

export function compileMtls(
  policies: readonly PolicyDoc<MTLSPolicy>[],
  plans: ReadonlyMap<string, ServicePlan>,
  ctx: CompileContext,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // One mTLS mode per scope is a mesh-neutral rule the compiler has already enforced.
  const valid = policies;
  const allNodes = [...plans.values()].flatMap((s) => s.nodes);
  const covers = (p: PolicyDoc<MTLSPolicy>, n: NodePlan): boolean => {
    const scope = mtlsScope(p.policy);
    if (scope === 'mesh') return true;
    if (n.namespace !== p.namespace) return false;
    return scope === 'namespace' || n.service === p.policy.spec.service;
  };
  for (const p of valid) {
    if (!allNodes.some((n) => covers(p, n))) {
      const scope = mtlsScope(p.policy);
      const target =
        scope === 'service'
          ? `${p.policy.spec.service} in ${p.namespace}`
          : scope === 'namespace'
            ? `any service of ${p.namespace}`
            : 'any service';
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.NoVirtualNode,
          { what: `${p.ref} (mTLS)`, target },
          p.at(['spec', 'mode']),
        ),
      );
    }
  }
  const reported = new Set<string>();
  for (const node of allNodes) {
    const governing = valid
      .filter((p) => covers(p, node))
      .sort((a, b) => RANK[mtlsScope(a.policy)] - RANK[mtlsScope(b.policy)])[0];
    if (!governing) continue;
    const material = materialFor(ctx, governing, node);
    if ('missing' in material) {
      const key = `${governing.ref}|${material.missing}`;
      if (!reported.has(key)) {
        reported.add(key);
        diagnostics.push(
          makeDiagnostic(
            APPMESH_MESSAGES.TlsSourceMissing,
            { what: `${governing.ref} (${governing.policy.spec.mode})`, why: material.missing },
            governing.at(['spec', 'mode']),
          ),
        );
      }
      continue;
    }
    if (material.source === 'acm' && !reported.has(`${governing.ref}|acm`)) {
      reported.add(`${governing.ref}|acm`);
      diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.AcmOneWayTls, {}, governing.at(['spec', 'mode'])));
    }
    node.listenerTls = listenerTls(
      governing.policy.spec.mode === 'strict' ? 'STRICT' : 'PERMISSIVE',
      material,
    );
    node.tlsFrom = governing;
    node.sources.push(governing);
  }
  return diagnostics;
}
