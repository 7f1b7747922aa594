/** API errors turned into coded diagnostics that name the object, the verb and what to do. */
import { type Diagnostic, diag } from '../core/diagnostics.js';
import { KubeApiError } from './client.js';
import type { ResourceInfo } from './resources.js';

function describeCause(err: unknown): string {
  if (err instanceof KubeApiError) {
    const causes = err.status?.details?.causes
      ?.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
      .filter(Boolean);
    const base = err.code === 0 ? err.message : `HTTP ${err.code} ${err.reason}: ${err.message}`;
    return causes?.length && !causes.every((c) => err.message.includes(c ?? ''))
      ? `${base} (${causes.join('; ')})`
      : base;
  }
  return (err as Error)?.message ?? String(err);
}

/**
 * A failed request about `object` as a diagnostic. `verb` is the RBAC verb (patch, delete, get,
 * list); `write` says whether this was a real write (else a dry-run or a read).
 */
export function errorDiagnostic(
  err: unknown,
  ctx: {
    object: string;
    verb: string;
    info?: ResourceInfo;
    namespace?: string;
    server: string;
    write: boolean;
  },
): Diagnostic {
  if (err instanceof KubeApiError) {
    if (err.unreachable) {
      return diag('ClusterUnreachable', {
        server: ctx.server,
        reason: `${err.message} (${ctx.verb} ${ctx.object}, ${err.attempts} attempt${err.attempts === 1 ? '' : 's'})`,
      });
    }
    if (err.code === 403) {
      const resource = ctx.info
        ? ctx.info.group
          ? `${ctx.info.resource}.${ctx.info.group}`
          : ctx.info.resource
        : 'it';
      return diag('Forbidden', {
        object: ctx.object,
        verb: ctx.verb,
        resource,
        where: ctx.namespace ? ` in namespace ${ctx.namespace}` : '',
        reason: err.message,
      });
    }
    if (err.code === 409 && err.reason === 'Conflict' && ctx.verb === 'patch') {
      return diag('FieldConflict', { object: ctx.object, reason: err.message });
    }
    if (ctx.write)
      return diag('WriteFailed', { object: ctx.object, verb: ctx.verb, reason: describeCause(err) });
    return diag('ServerRejected', { object: ctx.object, reason: describeCause(err) });
  }
  const reason = describeCause(err);
  return ctx.write
    ? diag('WriteFailed', { object: ctx.object, verb: ctx.verb, reason })
    : diag('ServerRejected', { object: ctx.object, reason });
}
