/**
 * Linkerd security: access control (access.ts) and strict mTLS (mtls.ts) both become Servers,
 * AuthorizationPolicies and MeshTLSAuthentications; the Server registry joins what they ask of
 * one pod port, so the two never write conflicting Servers.
 */
import type { CompileContext } from '../../core/adapter.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy } from '../../core/model/schema.js';
import type { ResultPart } from '../kit/results.js';
import { mergeResults } from '../kit/results.js';
import { compileAccess } from './access.js';
import { compileMtls } from './mtls.js';
import { ServerRegistry } from './servers.js';

export function compileSecurity(
  access: readonly PolicyDoc<AccessPolicy>[],
  mtls: readonly PolicyDoc<MTLSPolicy>[],
  ctx: CompileContext,
): ResultPart {
  const servers = new ServerRegistry();
  const accessResult = compileAccess(access, servers);
  const mtlsDiagnostics = compileMtls(mtls, servers, ctx);
  return mergeResults(accessResult, { diagnostics: mtlsDiagnostics }, servers.resolve());
}
