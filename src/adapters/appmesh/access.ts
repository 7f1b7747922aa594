/**
 * AccessPolicy allow -> an allow-list of caller identities checked by the server's Envoy:
 * `spec.listeners[].tls.validation.subjectAlternativeNames.match.exact[]` with `tls.mode: STRICT`
 * on the service's VirtualNodes (MESH-MAPPING.md §10, second App Mesh emulation).
 *
 * Why this and not client `backends` plus the mesh egress filter: an AccessPolicy names callers
 * by namespace and service account, and nothing maps those to the callers' VirtualNodes (which
 * anymesh may not even generate); a certificate SAN does map, through the SPIFFE ID a workload's
 * certificate carries (SPIRE registers `spiffe://<trust domain>/ns/<ns>/sa/<sa>` by convention;
 * `appmesh.spiffeId` changes the pattern). It is also enforced where the service runs, for every
 * caller, and STRICT refuses plaintext callers that would otherwise bypass the list.
 *
 * What differs from the model: a refused caller fails the TLS handshake (no HTTP 403); the list
 * needs mutual TLS, so file or SDS certificates (ACM issues no client certificates); a caller is
 * one identity (exact SAN match: no "any service account of a namespace").
 * Several allow policies for one service add up (a caller allowed by any of them may call).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/userguide/mutual-tls.html
 */
import type { CompileContext } from '../../core/adapter.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import { type AppMeshOptions, fill } from './options.js';
import { type ServicePlan, serviceKey } from './plan.js';
import { listenerTls, materialFor } from './tls.js';

export function compileAccess(
  policies: readonly PolicyDoc<AccessPolicy>[],
  plans: ReadonlyMap<string, ServicePlan>,
  ctx: CompileContext,
  options: AppMeshOptions,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const allowed = new Map<string, { sans: Set<string>; policies: PolicyDoc<AccessPolicy>[] }>();
  for (const p of policies) {
    const s = p.policy.spec;
    // Deny is `none` in the capability column: the compiler refuses it before this point.
    if (s.action !== 'allow') continue;
    const plan = plans.get(serviceKey(p.namespace, s.service));
    if (!plan) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.NoVirtualNode,
          { what: `${p.ref} (access)`, target: `${s.service} in ${p.namespace}` },
          p.at(['spec', 'service']),
        ),
      );
      continue;
    }
    // The allow-list covers the whole listener, which is on spec.port; `to` ports must name it.
    const ports = s.to?.flatMap((t) => t.ports ?? []);
    if (ports?.length && !ports.includes(plan.port)) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.AccessPortMismatch,
          { ports: ports.join(', '), service: s.service, port: plan.port },
          p.at(['spec', 'to']),
        ),
      );
      continue;
    }
    const entry = allowed.get(serviceKey(p.namespace, s.service)) ?? {
      sans: new Set<string>(),
      policies: [],
    };
    let ok = true;
    s.from.forEach((f, i) => {
      if (f.serviceAccount === undefined) {
        diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.AccessNeedsIdentity, {}, p.at(['spec', 'from', i])));
        ok = false;
        return;
      }
      entry.sans.add(
        fill(options.spiffeId, {
          trustDomain: ctx.trustDomain,
          namespace: f.namespace ?? p.namespace,
          serviceAccount: f.serviceAccount,
        }),
      );
    });
    if (!ok) continue;
    entry.policies.push(p);
    allowed.set(serviceKey(p.namespace, s.service), entry);
  }
  for (const [key, { sans, policies: from }] of allowed) {
    const plan = plans.get(key)!;
    const first = from[0]!;
    const exact = [...sans].sort();
    for (const node of plan.nodes) {
      if (node.listenerTls) {
        // An MTLSPolicy already set this listener; the allow-list must not weaken or contradict it.
        const tls = node.listenerTls as { mode: string; validation?: Record<string, unknown> };
        if (tls.mode !== 'STRICT' || !tls.validation) {
          const why =
            tls.mode !== 'STRICT'
              ? `but ${node.tlsFrom?.ref ?? 'an MTLSPolicy'} sets it PERMISSIVE, so plaintext callers would pass unchecked; make that policy strict`
              : `but ${node.tlsFrom?.ref ?? 'an MTLSPolicy'} uses ACM certificates, and ACM issues no client certificates to check; use appmesh.tls.certificate=sds or file`;
          diagnostics.push(
            makeDiagnostic(
              APPMESH_MESSAGES.AccessNeedsMutualTls,
              { service: plan.service, why },
              first.at(['spec', 'action']),
            ),
          );
          break;
        }
        tls.validation = { ...tls.validation, subjectAlternativeNames: { match: { exact } } };
      } else {
        const material = materialFor(ctx, first, node);
        if ('missing' in material) {
          diagnostics.push(
            makeDiagnostic(
              APPMESH_MESSAGES.TlsSourceMissing,
              { what: `${first.ref} (access is checked on client certificates)`, why: material.missing },
              first.at(['spec', 'action']),
            ),
          );
          break;
        }
        if (material.source === 'acm') {
          diagnostics.push(
            makeDiagnostic(
              APPMESH_MESSAGES.AccessNeedsMutualTls,
              {
                service: plan.service,
                why: 'and ACM issues no client certificates to check; use appmesh.tls.certificate=sds or file',
              },
              first.at(['spec', 'action']),
            ),
          );
          break;
        }
        // STRICT: a plaintext caller presents no certificate, so it must not get through.
        const tls = listenerTls('STRICT', material) as { validation: Record<string, unknown> };
        tls.validation = { ...tls.validation, subjectAlternativeNames: { match: { exact } } };
        node.listenerTls = tls;
        node.tlsFrom = first;
      }
      node.sources.push(...from);
    }
  }
  return diagnostics;
}
