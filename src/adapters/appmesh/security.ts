/**
 * App Mesh security: strict or permissive mTLS (mtls.ts), caller allow-lists (access.ts) and the
 * client side of TLS (clients.ts), all written into the listeners and backends of the virtual
 * nodes routing planned. mTLS goes first: an allow-list must not weaken what it set.
 */
import type { CompileContext } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy } from '../../core/model/schema.js';
import { compileAccess } from './access.js';
import { compileClientTls } from './clients.js';
import { compileMtls } from './mtls.js';
import type { AppMeshOptions } from './options.js';
import type { ServicePlan } from './plan.js';

export function compileSecurity(
  access: readonly PolicyDoc<AccessPolicy>[],
  mtls: readonly PolicyDoc<MTLSPolicy>[],
  plans: ReadonlyMap<string, ServicePlan>,
  ctx: CompileContext,
  options: AppMeshOptions,
): Diagnostic[] {
  return [
    ...compileMtls(mtls, plans, ctx),
    ...compileAccess(access, plans, ctx, options),
    ...compileClientTls(plans, ctx),
  ];
}
