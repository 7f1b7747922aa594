/**
 * Linkerd security: access control (access.ts), strict mTLS (mtls.ts) and BackendPolicy rate limits
 * (backend.ts) become Servers, AuthorizationPolicies, MeshTLSAuthentications and
 * HTTPLocalRateLimitPolicies; the Server registry joins what they ask of one pod port, so they never
 * write conflicting Servers. BackendPolicy outlier detection is failure accrual on the destination's
 * Service (failure-accrual.ts).
 */
import type { CompileContext } from '../../core/adapter.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, BackendPolicy, MTLSPolicy } from '../../core/model/schema.js';
import type { ResultPart } from '../kit/results.js';
import { mergeResults } from '../kit/results.js';
import { compileAccess } from './access.js';
import { compileBackend } from './backend.js';
import { compileFailureAccrual } from './failure-accrual.js';
import { compileMtls } from './mtls.js';
import { ServerRegistry } from './servers.js';

export function compileSecurity(
  access: readonly PolicyDoc<AccessPolicy>[],
  mtls: readonly PolicyDoc<MTLSPolicy>[],
  ctx: CompileContext,
  backend: readonly PolicyDoc<BackendPolicy>[] = [],
): ResultPart {
  const servers = new ServerRegistry();
  const accessResult = compileAccess(access, servers);
  const mtlsDiagnostics = compileMtls(mtls, servers, ctx);
  // Rate limits target Servers too, so they share the registry.
  const backendResult = compileBackend(backend, servers);
  return mergeResults(
    accessResult,
    { diagnostics: mtlsDiagnostics },
    backendResult,
    compileFailureAccrual(backend),
    servers.resolve(),
  );
}
