/**
 * Server-side apply of compiled resources with ApplySet bookkeeping and prune. Planning lives in
 * plan.ts, prune candidates in prune.ts, the per-object requests in verbs.ts; this module orders
 * them so that nothing is written until every check passed:
 *   1. map every object to its resource (discovery): a kind the cluster does not serve is an error;
 *   2. check that every namespace exists;
 *   3. read the ApplySet parent (refuse a parent made by other tooling);
 *   4. read each live object and server-side dry-run apply it (schema, CEL, admission, RBAC,
 *      field conflicts): the dry-run result compared with the live object says created /
 *      configured / unchanged, so an unchanged object gets no write at all;
 *   5. with --prune, list the set's members (part-of label, every recorded group-kind and
 *      namespace) and dry-run delete the ones no longer wanted;
 *   6. only then write: the parent (union of old and new group-kinds, so an interrupted run can
 *      still be pruned later), the changed objects (bounded concurrency), the prunes, and the
 *      parent again with exactly the current group-kinds when pruning.
 */
import type { KubeObject } from '../core/adapter.js';
import { type Diagnostic, diag, hasErrors } from '../core/diagnostics.js';
import {
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  type ApplySetRef,
  FIELD_MANAGER,
  idOf,
  parentName,
  parentObject,
  readParent,
} from './applyset.js';
import { errorDiagnostic } from './errors.js';
import { display, type LiveObject, type Target } from './objects.js';
import { checkNamespaces, dedupeUnreachable, planObjects, prepare } from './plan.js';
import { mapLimit } from './pool.js';
import { dryRunPrunes, findPruneCandidates, type PruneCandidate } from './prune.js';
import { groupKind, type ResourceInfo } from './resources.js';
import type { DryRun, ObjectResult, ProgressHook } from './results.js';
import { countRequests, type RequestCounts, type Session } from './session.js';
import { deleteObject, readLive, serverSideApply } from './verbs.js';

export interface ApplyOptions {
  readonly applySet: ApplySetRef;
  /** `<tool>/<version>` for the tooling annotation, e.g. anymesh/0.1.0. */
  readonly tooling: string;
  /** Mesh id, for messages. */
  readonly mesh: string;
  readonly dryRun?: DryRun;
  readonly prune?: boolean;
  readonly forceConflicts?: boolean;
  /** Requests fanned out at once (default: the client's in-flight maximum; the client's adaptive limit decides how many are sent). */
  readonly concurrency?: number;
  /** Awaited after each step: progress display, and a hook for fault-injection tests. */
  readonly onProgress?: ProgressHook;
}

export interface ApplyReport {
  readonly ok: boolean;
  readonly dryRun: DryRun;
  readonly applySet: {
    readonly name: string;
    readonly namespace: string;
    readonly id: string;
    readonly parent: string;
  };
  readonly objects: ObjectResult[];
  readonly diagnostics: Diagnostic[];
  /** Requests sent, from the client's counters. */
  readonly requests: RequestCounts;
}

export async function apply(
  s: Session,
  resources: readonly KubeObject[],
  opts: ApplyOptions,
): Promise<ApplyReport> {
  const requests = countRequests(s);
  const dryRun = opts.dryRun ?? 'none';
  const concurrency = Math.max(1, opts.concurrency ?? s.client.inFlight.max);
  const force = opts.forceConflicts === true;
  const id = idOf(opts.applySet);
  const parentRef = `Secret ${opts.applySet.namespace}/${parentName(opts.applySet)}`;
  const report = (ok: boolean, objects: ObjectResult[], diagnostics: Diagnostic[]): ApplyReport => ({
    ok,
    dryRun,
    applySet: { name: opts.applySet.name, namespace: opts.applySet.namespace, id, parent: parentRef },
    objects,
    diagnostics,
    requests: requests(),
  });
  const fail = (diagnostics: Diagnostic[], objects: ObjectResult[] = []) =>
    report(false, objects, [
      ...diagnostics,
      diag('NothingWritten', { reason: 'fix the errors above and apply again' }),
    ]);

  // 1-2. mapping, namespaces
  const prepared = await prepare(s, resources, { applySetId: id, mesh: opts.mesh });
  const diagnostics = [...prepared.diagnostics];
  if (diagnostics.some((d) => d.code === 'AM5002')) return fail(diagnostics);
  diagnostics.push(...(await checkNamespaces(s, prepared.targets, [opts.applySet.namespace])));
  if (hasErrors(diagnostics)) return fail(diagnostics);
  const targets = prepared.targets;

  // 3. the ApplySet parent
  const secretInfo = (await s.mapper.find('v1', 'Secret'))!;
  let parentLive: LiveObject | undefined;
  try {
    parentLive = await readLive(s, secretInfo, opts.applySet.namespace, parentName(opts.applySet));
  } catch (err) {
    return fail([
      errorDiagnostic(err, {
        object: parentRef,
        verb: 'get',
        info: secretInfo,
        namespace: opts.applySet.namespace,
        server: s.client.server,
        write: false,
      }),
    ]);
  }
  const parentState = readParent(parentLive);
  const tooling = parentLive?.metadata.annotations?.[APPLYSET_TOOLING_ANNOTATION];
  if (parentLive && !tooling?.startsWith(`${FIELD_MANAGER}/`)) {
    return fail([
      diag('ApplySetForeign', { parent: parentRef, tooling: tooling ?? 'no tooling annotation' }),
    ]);
  }
  const currentGks = targets.map((t) => groupKind(t.info.group, t.info.kind));
  const currentNs = targets.map((t) => t.object.metadata.namespace).filter((n): n is string => !!n);
  const unionParent = parentObject(
    opts.applySet,
    opts.tooling,
    [...currentGks, ...(parentState?.groupKinds ?? [])],
    [...currentNs, ...(parentState?.namespaces ?? [])],
  );
  const finalParent = opts.prune
    ? parentObject(opts.applySet, opts.tooling, currentGks, currentNs)
    : unionParent;

  // 4. live objects and server-side dry-run of everything (the parent included)
  const serverDryRun = dryRun !== 'client';
  const parentTarget: Target = { object: unionParent, info: secretInfo };
  const plan = await planObjects(s, [parentTarget, ...targets], {
    force,
    serverDryRun,
    concurrency,
    selector: `${APPLYSET_PART_OF_LABEL}=${id}`,
    // --dry-run=server asks the server to check every object; a real apply skips what is unchanged.
    skipUnchanged: dryRun === 'none',
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  diagnostics.push(...plan.diagnostics);
  const parentPlan = plan.planned.find((p) => p.target === parentTarget);
  const planned = plan.planned.filter((p) => p.target !== parentTarget);
  const objects = planned.map((p) => p.result);

  // 5. prune candidates, dry-run deleted
  let candidates: PruneCandidate[] = [];
  if (opts.prune && !hasErrors(diagnostics)) {
    const found = await findPruneCandidates(s, opts.applySet, parentState, targets);
    diagnostics.push(...found.diagnostics);
    candidates = found.candidates;
    if (serverDryRun) diagnostics.push(...(await dryRunPrunes(s, candidates)));
    objects.push(...candidates.map((c) => c.result));
  }
  if (hasErrors(diagnostics)) return fail(dedupeUnreachable(diagnostics), objects);
  if (dryRun !== 'none') return report(true, objects, diagnostics);

  // 6. writes
  let writesDone = 0;
  const writeParent = async (obj: KubeObject) => {
    await serverSideApply(s, { object: obj, info: secretInfo }, { dryRun: false, force: true });
    writesDone++;
  };
  const toWrite = planned.filter((p) => p.result.action !== 'unchanged');
  const total = toWrite.length + candidates.length;
  const writeError = (
    err: unknown,
    object: string,
    verb: string,
    info: ResourceInfo,
    ns: string | undefined,
  ) =>
    errorDiagnostic(err, {
      object,
      verb,
      info,
      ...(ns ? { namespace: ns } : {}),
      server: s.client.server,
      write: true,
    });
  const partial = (d: Diagnostic[]) =>
    report(false, objects, [
      ...diagnostics,
      ...dedupeUnreachable(d),
      diag('PartiallyApplied', { done: writesDone, total: total + 1 }),
    ]);

  try {
    if (parentPlan?.result.action !== 'unchanged') await writeParent(unionParent);
  } catch (err) {
    return report(false, objects, [
      ...diagnostics,
      writeError(err, parentRef, 'patch', secretInfo, opts.applySet.namespace),
      diag('NothingWritten', { reason: 'the ApplySet parent could not be written' }),
    ]);
  }
  let progress = 0;
  const settled = await mapLimit(
    toWrite,
    concurrency,
    async (p) => {
      const ns = p.target.object.metadata.namespace;
      try {
        await serverSideApply(s, p.target, { dryRun: false, force });
      } catch (err) {
        throw writeError(err, display(p.target.object), 'patch', p.target.info, ns);
      }
      writesDone++;
      p.result.written = true;
      await opts.onProgress?.({ phase: 'write', done: ++progress, total, object: p.result });
    },
    { stopOnError: true },
  );
  const failures = settled
    .filter((r): r is PromiseRejectedResult => r?.status === 'rejected')
    .map((r) => r.reason as Diagnostic);
  if (failures.length) return partial(failures);

  for (const c of candidates) {
    const ns = c.live.metadata.namespace;
    try {
      await deleteObject(s, c.info, c.live, false);
    } catch (err) {
      return partial([writeError(err, display(c.live), 'delete', c.info, ns)]);
    }
    writesDone++;
    c.result.written = true;
    await opts.onProgress?.({ phase: 'prune', done: ++progress, total, object: c.result });
  }
  if (opts.prune && JSON.stringify(finalParent) !== JSON.stringify(unionParent)) {
    try {
      await writeParent(finalParent);
    } catch (err) {
      return partial([writeError(err, parentRef, 'patch', secretInfo, opts.applySet.namespace)]);
    }
  }
  return report(true, objects, diagnostics);
}
