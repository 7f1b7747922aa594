/**
 * `anymesh delete`: removes what the given policies compile to, and nothing else. An object is
 * deleted only if it exists, carries `app.kubernetes.io/managed-by: anymesh` and has a server-side
 * apply entry of field manager `anymesh`; anything else of the same name is reported and left alone.
 * Every delete is dry-run first (RBAC, admission), and sent with a uid precondition.
 */
import { type KubeObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/adapter.js';
import { type Diagnostic, diag, hasErrors } from '../core/diagnostics.js';
import { errorDiagnostic } from './errors.js';
import { readLiveByKind } from './live.js';
import { appliedByAnymesh, display, type LiveObject, type Target } from './objects.js';
import { prepare } from './plan.js';
import { mapLimit } from './pool.js';
import type { ObjectResult, ProgressHook } from './results.js';
import type { Session } from './session.js';
import { deleteObject, readLive } from './verbs.js';

export interface DeleteOptions {
  readonly mesh: string;
  readonly dryRun?: 'none' | 'client' | 'server';
  /** Wait until the objects are gone (finalizers run), up to timeoutMs (default 60 s). */
  readonly wait?: boolean;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  readonly onProgress?: ProgressHook;
}

export interface DeleteReport {
  readonly ok: boolean;
  readonly objects: ObjectResult[];
  readonly diagnostics: Diagnostic[];
}

const OURS = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function deleteResources(
  s: Session,
  resources: readonly KubeObject[],
  opts: DeleteOptions,
): Promise<DeleteReport> {
  const prepared = await prepare(s, resources, { mesh: opts.mesh });
  // A kind the cluster does not serve has no objects to delete.
  const diagnostics = prepared.diagnostics.filter((d) => d.code !== 'AM5003');
  if (hasErrors(diagnostics)) return { ok: false, objects: [], diagnostics };
  const concurrency = Math.max(1, opts.concurrency ?? s.client.inFlight.max);
  const dryRun = opts.dryRun ?? 'none';
  const ctx = (t: Target, verb: string, write: boolean) => ({
    object: display(t.object),
    verb,
    info: t.info,
    ...(t.object.metadata.namespace ? { namespace: t.object.metadata.namespace } : {}),
    server: s.client.server,
    write,
  });

  // Read, decide, and dry-run every delete before the first real one.
  type Step = { target: Target; live?: LiveObject; result: ObjectResult };
  const steps: Step[] = [];
  // Ours carry the managed-by label: one LIST per kind and namespace finds them; what it does not
  // list is read alone (absent, or someone else's object of that name, reported as such).
  const states = await readLiveByKind(s, prepared.targets, { selector: OURS, concurrency });
  const settled = await mapLimit(prepared.targets, concurrency, async (t, i): Promise<Step> => {
    const md = t.object.metadata;
    const base = {
      apiVersion: t.object.apiVersion,
      kind: t.object.kind,
      ...(md.namespace ? { namespace: md.namespace } : {}),
      name: md.name,
      written: false,
    };
    const state = states[i]!;
    if (state.state === 'error') throw errorDiagnostic(state.error, ctx(t, 'get', false));
    let live = state.state === 'found' ? state.live : undefined;
    if (state.state === 'unlisted') {
      try {
        live = await readLive(s, t.info, md.namespace, md.name);
      } catch (err) {
        throw errorDiagnostic(err, ctx(t, 'get', false));
      }
    }
    if (!live) return { target: t, result: { ...base, action: 'not-found' } };
    const ours = live.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
    if (!ours || !appliedByAnymesh(live)) {
      diagnostics.push(
        diag('DeleteSkippedForeign', {
          object: display(t.object),
          why: ours
            ? 'no server-side apply by field manager anymesh'
            : `no label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
        }),
      );
      return { target: t, result: { ...base, action: 'skipped' } };
    }
    if (dryRun !== 'client') {
      try {
        await deleteObject(s, t.info, live, true);
      } catch (err) {
        throw errorDiagnostic(err, ctx(t, 'delete', false));
      }
    }
    return { target: t, live, result: { ...base, action: 'deleted' } };
  });
  for (const r of settled) {
    if (r.status === 'fulfilled') steps.push(r.value);
    else diagnostics.push(r.reason as Diagnostic);
  }
  const objects = steps.map((st) => st.result);
  if (hasErrors(diagnostics)) {
    return {
      ok: false,
      objects,
      diagnostics: [
        ...diagnostics,
        diag('NothingWritten', { reason: 'fix the errors above and delete again' }),
      ],
    };
  }
  if (dryRun !== 'none') return { ok: true, objects, diagnostics };

  const doomed = steps.filter((st) => st.live);
  let done = 0;
  const deletes = await mapLimit(
    doomed,
    concurrency,
    async (st) => {
      try {
        await deleteObject(s, st.target.info, st.live!, false);
      } catch (err) {
        throw errorDiagnostic(err, ctx(st.target, 'delete', true));
      }
      st.result.written = true;
      await opts.onProgress?.({ phase: 'delete', done: ++done, total: doomed.length, object: st.result });
    },
    { stopOnError: true },
  );
  const failures = deletes
    .filter((r): r is PromiseRejectedResult => r?.status === 'rejected')
    .map((r) => r.reason as Diagnostic);
  if (failures.length) return { ok: false, objects, diagnostics: [...diagnostics, ...failures] };

  if (opts.wait !== false) {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let pending = doomed;
    while (pending.length) {
      // Still there: listed by kind and namespace (a deleted object keeps its labels until gone).
      const now = await readLiveByKind(
        s,
        pending.map((st) => st.target),
        { selector: OURS, concurrency },
      );
      pending = pending.filter((st, i) => {
        const n = now[i]!;
        if (n.state === 'error') throw n.error;
        return n.state === 'found' && n.live.metadata.uid === st.live!.metadata.uid;
      });
      await opts.onProgress?.({ phase: 'wait', done: doomed.length - pending.length, total: doomed.length });
      if (!pending.length) break;
      if (Date.now() > deadline) {
        diagnostics.push(
          diag('WriteFailed', {
            object: pending.map((st) => display(st.target.object)).join(', '),
            verb: 'delete',
            reason: `still present after ${opts.timeoutMs ?? 60_000} ms (finalizers?); deletion was requested`,
          }),
        );
        return { ok: false, objects, diagnostics };
      }
      await sleep(250);
    }
  }
  return { ok: true, objects, diagnostics };
}
