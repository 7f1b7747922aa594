/**
 * Server-side apply of compiled resources, ApplySet bookkeeping and prune.
 *
 * Order of work (nothing is written until every check passed):
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
  groupKindsOf,
  idOf,
  type ParentState,
  parentName,
  parentObject,
  readParent,
} from './applyset.js';
import { KubeApiError, type KubeClient } from './client.js';
import { errorDiagnostic } from './errors.js';
import { appliedByAnymesh, display, keyOf, type LiveObject, sameObject, type Target } from './objects.js';
import { mapLimit } from './pool.js';
import { groupKind, type ResourceInfo, RestMapper, resourcePath } from './resources.js';

export type DryRun = 'none' | 'client' | 'server';
export type Action = 'created' | 'configured' | 'unchanged' | 'pruned' | 'deleted' | 'not-found' | 'skipped';

export interface ObjectResult {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  action: Action;
  /** False until the write was made (always false for dry runs and unchanged objects). */
  written: boolean;
}

export interface ProgressEvent {
  readonly phase: 'validate' | 'write' | 'prune' | 'delete' | 'wait';
  readonly done: number;
  readonly total: number;
  readonly object?: ObjectResult;
}

export interface Session {
  readonly client: KubeClient;
  readonly mapper: RestMapper;
  /** The namespace for namespaced objects that name none (`-n`, else the context's). */
  readonly namespace: string;
}

export function session(client: KubeClient, namespace: string): Session {
  return { client, mapper: new RestMapper(client), namespace };
}

export interface ApplyOptions {
  readonly applySet: ApplySetRef;
  /** `<tool>/<version>` for the tooling annotation, e.g. anymesh/0.1.0. */
  readonly tooling: string;
  /** Mesh id, for messages. */
  readonly mesh: string;
  readonly dryRun?: DryRun;
  readonly prune?: boolean;
  readonly forceConflicts?: boolean;
  /** Writes in flight at once (default 8). */
  readonly concurrency?: number;
  /** Awaited after each step: progress display, and a hook for fault-injection tests. */
  readonly onProgress?: (event: ProgressEvent) => void | Promise<void>;
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
  readonly requests: {
    readonly writes: number;
    readonly dryRuns: number;
    readonly reads: number;
    readonly retries: number;
  };
}

// ---------------------------------------------------------------------------------------------------
// Mapping and checks

export interface Prepared {
  readonly targets: Target[];
  readonly diagnostics: Diagnostic[];
}

function resultOf(t: { object: KubeObject }, action: Action): ObjectResult {
  const md = t.object.metadata;
  return {
    apiVersion: t.object.apiVersion,
    kind: t.object.kind,
    ...(md.namespace ? { namespace: md.namespace } : {}),
    name: md.name,
    action,
    written: false,
  };
}

/**
 * Maps each compiled object to its resource; namespaced objects without a namespace get the
 * session's, cluster-scoped ones lose theirs; members of an ApplySet get its part-of label.
 */
export async function prepare(
  s: Session,
  resources: readonly KubeObject[],
  opts: { applySetId?: string; mesh?: string } = {},
): Promise<Prepared> {
  const applySetId = opts.applySetId;
  const diagnostics: Diagnostic[] = [];
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const r of resources) {
    let info: ResourceInfo | undefined;
    try {
      info = await s.mapper.find(r.apiVersion, r.kind);
    } catch (err) {
      diagnostics.push(
        errorDiagnostic(err, { object: display(r), verb: 'discover', server: s.client.server, write: false }),
      );
      if (err instanceof KubeApiError && err.unreachable) break;
      continue;
    }
    if (!info) {
      diagnostics.push(
        diag('ResourceTypeMissing', {
          object: display(r),
          kind: r.kind,
          apiVersion: r.apiVersion,
          mesh: opts.mesh ?? 'MESH',
        }),
      );
      continue;
    }
    const object = structuredClone(r);
    if (info.namespaced) object.metadata.namespace ??= s.namespace;
    else delete object.metadata.namespace;
    if (applySetId)
      object.metadata.labels = { ...object.metadata.labels, [APPLYSET_PART_OF_LABEL]: applySetId };
    const key = keyOf(info.group, info.kind, object.metadata.namespace, object.metadata.name);
    if (seen.has(key)) continue; // adapters never emit duplicates; be safe
    seen.add(key);
    targets.push({ object, info });
  }
  return { targets, diagnostics };
}

/** Every namespace the objects live in must exist (a 403 on reading it is left to the dry-run). */
export async function checkNamespaces(
  s: Session,
  targets: readonly Target[],
  extra: readonly string[] = [],
): Promise<Diagnostic[]> {
  const byNs = new Map<string, string[]>();
  for (const ns of extra) byNs.set(ns, byNs.get(ns) ?? []);
  for (const t of targets) {
    const ns = t.object.metadata.namespace;
    if (ns) byNs.set(ns, [...(byNs.get(ns) ?? []), display(t.object)]);
  }
  const out: Diagnostic[] = [];
  for (const [ns, objs] of [...byNs].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      await s.client.request('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) {
        const shown =
          objs.length > 3
            ? `${objs.slice(0, 3).join(', ')} and ${objs.length - 3} more`
            : objs.join(', ') || 'the ApplySet parent';
        out.push(diag('NamespaceMissing', { namespace: ns, objects: shown }));
      } else if (!(err instanceof KubeApiError && err.code === 403)) {
        out.push(
          errorDiagnostic(err, {
            object: `Namespace ${ns}`,
            verb: 'get',
            server: s.client.server,
            write: false,
          }),
        );
        if (err instanceof KubeApiError && err.unreachable) break;
      }
    }
  }
  return out;
}

export async function readLive(
  s: Session,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
): Promise<LiveObject | undefined> {
  try {
    return (await s.client.request<LiveObject>('GET', resourcePath(info, namespace, name))).body;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return undefined;
    throw err;
  }
}

/** Server-side apply (dry-run or real) with the anymesh field manager. */
async function serverSideApply(
  s: Session,
  t: Target,
  opts: { dryRun: boolean; force: boolean },
): Promise<LiveObject> {
  const q = new URLSearchParams({ fieldManager: FIELD_MANAGER });
  if (opts.force) q.set('force', 'true');
  if (opts.dryRun) q.set('dryRun', 'All');
  const path = `${resourcePath(t.info, t.object.metadata.namespace, t.object.metadata.name)}?${q}`;
  return (await s.client.request<LiveObject>('PATCH', path, t.object, 'application/apply-patch+yaml')).body;
}

/** Delete with a uid precondition, so an object recreated meanwhile by someone else is never hit. */
export async function deleteObject(
  s: Session,
  info: ResourceInfo,
  live: LiveObject,
  dryRun: boolean,
): Promise<void> {
  const q = dryRun ? '?dryRun=All' : '';
  const body = {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: 'Background',
    ...(live.metadata.uid ? { preconditions: { uid: live.metadata.uid } } : {}),
    ...(dryRun ? { dryRun: ['All'] } : {}),
  };
  try {
    await s.client.request(
      'DELETE',
      `${resourcePath(info, live.metadata.namespace, live.metadata.name)}${q}`,
      body,
    );
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return; // gone already: what we wanted
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------
// Planning

export interface PlannedObject {
  readonly target: Target;
  readonly live: LiveObject | undefined;
  /** The server's dry-run result (undefined for --dry-run=client). */
  readonly merged: LiveObject | undefined;
  readonly result: ObjectResult;
}

export interface PruneCandidate {
  readonly info: ResourceInfo;
  readonly live: LiveObject;
  readonly result: ObjectResult;
}

/** Reads and dry-runs every target; errors become diagnostics (none of them is fatal to the others). */
export async function planObjects(
  s: Session,
  targets: readonly Target[],
  opts: {
    force: boolean;
    serverDryRun: boolean;
    concurrency: number;
    onProgress?: ApplyOptions['onProgress'];
  },
): Promise<{ planned: PlannedObject[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let done = 0;
  const settled = await mapLimit(targets, opts.concurrency, async (t) => {
    const ns = t.object.metadata.namespace;
    const object = display(t.object);
    let live: LiveObject | undefined;
    try {
      live = await readLive(s, t.info, ns, t.object.metadata.name);
    } catch (err) {
      throw errorDiagnostic(err, {
        object,
        verb: 'get',
        info: t.info,
        ...(ns ? { namespace: ns } : {}),
        server: s.client.server,
        write: false,
      });
    }
    let merged: LiveObject | undefined;
    if (opts.serverDryRun) {
      try {
        merged = await serverSideApply(s, t, { dryRun: true, force: opts.force });
      } catch (err) {
        throw errorDiagnostic(err, {
          object,
          verb: 'patch',
          info: t.info,
          ...(ns ? { namespace: ns } : {}),
          server: s.client.server,
          write: false,
        });
      }
    }
    const action: Action = !live
      ? 'created'
      : merged && sameObject(live, merged)
        ? 'unchanged'
        : 'configured';
    const p: PlannedObject = { target: t, live, merged, result: resultOf(t, action) };
    await opts.onProgress?.({ phase: 'validate', done: ++done, total: targets.length, object: p.result });
    return p;
  });
  const planned: PlannedObject[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') planned.push(r.value);
    else
      diagnostics.push(
        isDiagnostic(r.reason)
          ? r.reason
          : diag('ClusterError', { reason: String((r.reason as Error)?.message ?? r.reason) }),
      );
  }
  return { planned, diagnostics: dedupeUnreachable(diagnostics) };
}

function isDiagnostic(v: unknown): v is Diagnostic {
  return typeof v === 'object' && v !== null && 'code' in v && 'level' in v && 'message' in v;
}

/** One "cannot reach the API server" is enough. */
function dedupeUnreachable(ds: Diagnostic[]): Diagnostic[] {
  let seen = false;
  return ds.filter((d) => {
    if (d.code !== 'AM5002') return true;
    if (seen) return false;
    seen = true;
    return true;
  });
}

/**
 * Members of the set no longer wanted: objects with our part-of label, of a group-kind the parent
 * lists or we apply now, in a namespace the parent lists or we apply to now, that are not in
 * `keep`. Only objects anymesh applied (a server-side apply entry of field manager `anymesh`) are
 * candidates; others with a copied label are reported and left alone.
 */
export async function findPruneCandidates(
  s: Session,
  applySet: ApplySetRef,
  parent: ParentState | undefined,
  targets: readonly Target[],
): Promise<{ candidates: PruneCandidate[]; diagnostics: Diagnostic[] }> {
  const id = idOf(applySet);
  const keep = new Set(
    targets.map((t) => keyOf(t.info.group, t.info.kind, t.object.metadata.namespace, t.object.metadata.name)),
  );
  const gks = new Map<string, { group: string; kind: string }>();
  for (const gk of groupKindsOf(parent)) gks.set(groupKind(gk.group, gk.kind), gk);
  for (const t of targets)
    gks.set(groupKind(t.info.group, t.info.kind), { group: t.info.group, kind: t.info.kind });
  const namespaces = new Set<string>([applySet.namespace, ...(parent?.namespaces ?? [])]);
  for (const t of targets) if (t.object.metadata.namespace) namespaces.add(t.object.metadata.namespace);

  const candidates: PruneCandidate[] = [];
  const diagnostics: Diagnostic[] = [];
  const selector = encodeURIComponent(`${APPLYSET_PART_OF_LABEL}=${id}`);
  for (const gk of [...gks.values()].sort((a, b) =>
    groupKind(a.group, a.kind).localeCompare(groupKind(b.group, b.kind)),
  )) {
    let info: ResourceInfo | undefined;
    try {
      info = await s.mapper.findGroupKind(gk.group, gk.kind);
    } catch (err) {
      diagnostics.push(
        errorDiagnostic(err, {
          object: groupKind(gk.group, gk.kind),
          verb: 'discover',
          server: s.client.server,
          write: false,
        }),
      );
      continue;
    }
    if (!info) continue; // the CRD is gone, and with it every object of the kind
    const scopes = info.namespaced ? [...namespaces].sort() : [undefined];
    for (const ns of scopes) {
      let items: LiveObject[];
      try {
        const list = await s.client.request<{ items?: LiveObject[] }>(
          'GET',
          `${resourcePath(info, ns)}?labelSelector=${selector}`,
        );
        items = list.body.items ?? [];
      } catch (err) {
        diagnostics.push(
          errorDiagnostic(err, {
            object: `${groupKind(gk.group, gk.kind)} list`,
            verb: 'list',
            info,
            ...(ns ? { namespace: ns } : {}),
            server: s.client.server,
            write: false,
          }),
        );
        continue;
      }
      for (const item of items) {
        // List items of core kinds come without apiVersion/kind.
        const live: LiveObject = {
          ...item,
          apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
          kind: info.kind,
        };
        if (keep.has(keyOf(info.group, info.kind, live.metadata.namespace, live.metadata.name))) continue;
        if (live.metadata.deletionTimestamp) continue;
        if (!appliedByAnymesh(live)) {
          diagnostics.push(diag('PruneSkippedForeign', { object: display(live) }));
          continue;
        }
        candidates.push({ info, live, result: resultOf({ object: live }, 'pruned') });
      }
    }
  }
  return { candidates, diagnostics };
}

// ---------------------------------------------------------------------------------------------------
// Apply

function requestCounts(c: KubeClient, before: KubeClient['stats'] & { reads: number }) {
  return {
    writes: c.stats.writes - before.writes,
    dryRuns: c.stats.dryRuns - before.dryRuns,
    reads: (c.stats.byMethod.GET ?? 0) - before.reads,
    retries: c.stats.retries - before.retries,
  };
}

function snapshot(c: KubeClient) {
  return { ...c.stats, byMethod: { ...c.stats.byMethod }, reads: c.stats.byMethod.GET ?? 0 };
}

export async function apply(
  s: Session,
  resources: readonly KubeObject[],
  opts: ApplyOptions,
): Promise<ApplyReport> {
  const before = snapshot(s.client);
  const dryRun = opts.dryRun ?? 'none';
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const force = opts.forceConflicts === true;
  const id = idOf(opts.applySet);
  const parentRef = `Secret ${opts.applySet.namespace}/${parentName(opts.applySet)}`;
  const report = (ok: boolean, objects: ObjectResult[], diagnostics: Diagnostic[]): ApplyReport => ({
    ok,
    dryRun,
    applySet: { name: opts.applySet.name, namespace: opts.applySet.namespace, id, parent: parentRef },
    objects,
    diagnostics,
    requests: requestCounts(s.client, before),
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
    if (serverDryRun) {
      for (const c of candidates) {
        try {
          await deleteObject(s, c.info, c.live, true);
        } catch (err) {
          const ns = c.live.metadata.namespace;
          diagnostics.push(
            errorDiagnostic(err, {
              object: display(c.live),
              verb: 'delete',
              info: c.info,
              ...(ns ? { namespace: ns } : {}),
              server: s.client.server,
              write: false,
            }),
          );
        }
      }
    }
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
