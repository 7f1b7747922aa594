/**
 * TLS shapes of the VirtualNode CRD from certificate material:
 * - server: `spec.listeners[].tls {mode, certificate.{acm|file|sds}, validation.trust.{file|sds}}`;
 *   the listener validates client certificates (mutual TLS) only with file or SDS trust.
 * - client: `spec.backends[].virtualService.clientPolicy.tls {enforce, certificate.{file|sds},
 *   validation.trust.{acm|file|sds}}`; ACM issues no client certificates, so with ACM the client
 *   only validates the server (one-way TLS).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/userguide/mutual-tls.html,
 * https://docs.aws.amazon.com/app-mesh/latest/userguide/tls.html
 */
import type { CompileContext } from '../../core/adapter.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { type TlsMaterial, tlsMaterial } from './options.js';
import type { NodePlan, Obj } from './plan.js';

export type Material = Exclude<TlsMaterial, { missing: string }>;

export function materialFor(ctx: CompileContext, policy: PolicyDoc | undefined, node: NodePlan): TlsMaterial {
  return tlsMaterial(ctx, policy, {
    service: node.service,
    namespace: node.namespace,
    ...(node.version !== undefined ? { version: node.version } : {}),
  });
}

function trust(m: Material): Obj | undefined {
  if (m.source === 'file') return { file: { certificateChain: m.trustChain } };
  if (m.source === 'sds') return { sds: { secretName: m.trustSecretName } };
  return undefined;
}

export function listenerTls(mode: 'STRICT' | 'PERMISSIVE', m: Material): Obj {
  const certificate =
    m.source === 'file'
      ? { file: { certificateChain: m.certificateChain, privateKey: m.privateKey } }
      : m.source === 'sds'
        ? { sds: { secretName: m.secretName } }
        : { acm: { certificateARN: m.certificateArn } };
  const t = trust(m);
  return { mode, certificate, ...(t ? { validation: { trust: t } } : {}) };
}

/**
 * Client TLS of a caller node towards a server whose listener uses `server` material.
 * `serverNames` are the SANs the server's certificates carry when they are not its DNS name: AWS
 * says that without SANs on the originating side the server certificate must match the service
 * discovery name, and SPIRE certificates carry a SPIFFE ID instead, so SDS needs them
 * (API reference, TlsValidationContext.subjectAlternativeNames).
 */
export function clientTls(server: Material, client: TlsMaterial, serverNames: readonly string[] = []): Obj {
  const validation: Obj =
    server.source === 'acm'
      ? { trust: { acm: { certificateAuthorityARNs: server.authorityArns } } }
      : { trust: trust(server) };
  if (serverNames.length) validation.subjectAlternativeNames = { match: { exact: [...serverNames] } };
  // A client certificate lets the server authenticate the caller (mutual TLS); file and SDS only.
  const certificate =
    'missing' in client || client.source === 'acm'
      ? undefined
      : client.source === 'file'
        ? { file: { certificateChain: client.certificateChain, privateKey: client.privateKey } }
        : { sds: { secretName: client.secretName } };
  return { enforce: true, ...(certificate ? { certificate } : {}), validation };
}
