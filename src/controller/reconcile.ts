/**
 * One reconcile of one namespace: its policies compiled (compile.ts: the pipeline of `anymesh
 * compile`), the result applied with the cluster code of `anymesh apply` (plan.ts to read and
 * server-side dry-run every object, apply.ts to write and prune through an ApplySet), then each
 * policy's status. Rules the controller adds on top:
 * - a native object that exists and carries no apply entry of `anymesh-controller` (made by hand,
 *   by another tool, or by `anymesh apply`) is never taken over: the policies producing it are
 *   Conflicted (NameCollision) and the object is left out;
 * - an object of ours that differs from what we asked for while the desired-hash annotation still
 *   matches was edited out of band (drift): reverted (written again with force) or, with
 *   --drift=report, left as it is and reported;
 * - nothing is pruned while a policy of the namespace is invalid or an object drifted under
 *   --drift=report, so a policy that turns invalid keeps the objects applied for it before;
 * - when nothing would change, apply is not called at all: a resync sends no write (and, for
 *   objects whose live state is what we apply, no dry-run either).
 */
import { apply } from '../cluster/apply.js';
import { type ApplySetRef, idOf, parentName, readParent } from '../cluster/applyset.js';
import { appliedByAnymesh, display, type LiveObject, type Target } from '../cluster/objects.js';
import { planObjects, prepare } from '../cluster/plan.js';
import { findPruneCandidates } from '../cluster/prune.js';
import type { Session } from '../cluster/session.js';
import { readLive } from '../cluster/verbs.js';
import type { CompileContext, KubeObject, MeshAdapter } from '../core/adapter.js';
import { sourcesOf } from '../core/adapter.js';
import type { Diagnostic } from '../core/diagnostics.js';
import { compileNamespace, DESIRED_HASH_ANNOTATION, refOf, withDesiredHash } from './compile.js';
import { describe, type ObjectRef, type Outcome } from './status.js';

export type DriftMode = 'revert' | 'report';

export interface ReconcileConfig {
  readonly adapter: MeshAdapter;
  readonly context: Partial<CompileContext>;
  readonly drift: DriftMode;
  /** `anymesh/<version>`, the ApplySet tooling annotation. */
  readonly tooling: string;
  readonly concurrency?: number;
}

export interface ReconcileResult {
  readonly outcomes: Map<string, Outcome>;
  /** Objects found edited out of band, by display name, with the refs of the policies producing them. */
  readonly drifted: { object: string; refs: string[]; reverted: boolean }[];
  readonly writes: number;
}

/** One ApplySet per namespace and mesh, apart from the CLI's (`anymesh-<mesh>`). */
export function controllerApplySet(mesh: string, namespace: string): ApplySetRef {
  return { name: `anymesh-controller-${mesh}`, namespace };
}

const refOfObject = (t: Target): ObjectRef => ({
  apiVersion: t.object.apiVersion,
  kind: t.object.kind,
  ...(t.object.metadata.namespace ? { namespace: t.object.metadata.namespace } : {}),
  name: t.object.metadata.name,
});

export async function reconcileNamespace(
  s: Session,
  namespace: string,
  policies: readonly LiveObject[],
  cfg: ReconcileConfig,
): Promise<ReconcileResult> {
  const writesBefore = s.client.stats.writes;
  const mesh = cfg.adapter.id;
  const compiled = compileNamespace(policies, cfg.adapter, cfg.context, namespace);
  const applySet = controllerApplySet(mesh, namespace);
  const concurrency = cfg.concurrency ?? 8;

  const conflicts = new Map<string, Outcome['conflicts']>();
  const addConflict = (ref: string, c: Outcome['conflicts'][number]) =>
    conflicts.set(ref, [...(conflicts.get(ref) ?? []), c]);
  for (const [ref, ds] of compiled.byPolicy)
    for (const d of ds)
      if (d.code === 'AM3011') addConflict(ref, { reason: 'Conflict', message: describe(d) });

  // Read every desired object (one LIST per kind) and dry-run those that exist and would change:
  // an object whose live state already is what we apply (unchanged.ts) needs no dry-run, so a
  // resync with nothing changed sends LISTs only; one that is absent costs a GET (apply dry-runs
  // what it writes). An out-of-band edit of a field we set makes the object "would change".
  const desired = compiled.resources.map(withDesiredHash);
  const prepared = await prepare(s, desired, { applySetId: idOf(applySet), mesh });
  const plan = await planObjects(s, prepared.targets, {
    force: true,
    serverDryRun: true,
    skipUnchanged: true,
    dryRunUnlisted: false,
    concurrency,
  });
  let failure: Diagnostic[] = [...compiled.global, ...prepared.diagnostics, ...plan.diagnostics].filter(
    (d) => d.level === 'error',
  );

  const keep: KubeObject[] = [];
  const drifted: ReconcileResult['drifted'] = [];
  let changes = 0;
  let holdPrune = compiled.excluded.size > 0;
  for (const p of plan.planned) {
    const live = p.live;
    const name = display(p.target.object);
    if (live && !appliedByAnymesh(live, s.fieldManager)) {
      const owners = [...new Set((live.metadata.managedFields ?? []).map((f) => f.manager ?? '?'))].join(
        ', ',
      );
      for (const ref of sourcesOf(p.target.object))
        addConflict(ref, {
          reason: 'NameCollision',
          message: `${name} exists and was not made by the anymesh controller (field managers: ${owners || 'none'}); it is left alone`,
        });
      continue;
    }
    const hashLive = live?.metadata.annotations?.[DESIRED_HASH_ANNOTATION];
    const hashWanted = p.target.object.metadata.annotations?.[DESIRED_HASH_ANNOTATION];
    if (p.result.action === 'configured' && hashLive === hashWanted) {
      drifted.push({ object: name, refs: sourcesOf(p.target.object), reverted: cfg.drift === 'revert' });
      if (cfg.drift === 'report') {
        holdPrune = true;
        continue;
      }
    }
    if (p.result.action !== 'unchanged') changes++;
    keep.push(p.target.object);
  }

  // Prune candidates, as apply would find them (the parent's recorded kinds and namespaces).
  let prune = !holdPrune && failure.length === 0;
  if (prune && changes === 0) {
    const secret = await s.mapper.find('v1', 'Secret');
    const parent = secret ? await readLive(s, secret, namespace, parentName(applySet)) : undefined;
    const found = await findPruneCandidates(s, applySet, readParent(parent), prepared.targets);
    if (found.candidates.length === 0) prune = false;
  }

  let programmed: Outcome['programmed'] = { ok: true, reason: 'Programmed', message: `applied to ${mesh}` };
  if (failure.length === 0 && (changes > 0 || prune)) {
    const report = await apply(s, keep, {
      applySet,
      tooling: cfg.tooling,
      mesh,
      prune,
      forceConflicts: true,
      concurrency,
    });
    if (!report.ok) failure = report.diagnostics.filter((d) => d.level === 'error');
  }
  if (failure.length)
    programmed = { ok: false, reason: 'ApplyFailed', message: failure.map(describe).join('; ') };

  const outcomes = new Map<string, Outcome>();
  for (const policy of policies) {
    const ref = refOf(policy);
    const ds = compiled.byPolicy.get(ref) ?? [];
    const errors = ds.filter((d) => d.level === 'error' && (d.policy === ref || d.code !== 'AM3011'));
    const mine = conflicts.get(ref) ?? [];
    const objects = prepared.targets.filter((t) => sourcesOf(t.object).includes(ref)).map(refOfObject);
    const drift = drifted.filter((d) => d.refs.includes(ref) && !d.reverted);
    const excluded = compiled.excluded.has(ref);
    outcomes.set(ref, {
      errors,
      warnings: ds.filter((d) => d.level === 'warning'),
      conflicts: mine,
      objects: excluded ? [] : objects,
      programmed: excluded
        ? {
            ok: false,
            reason: mine.some((c) => c.reason === 'Conflict') ? 'Conflict' : 'Invalid',
            message: 'nothing applied for this policy; objects applied for it before are kept',
          }
        : mine.some((c) => c.reason === 'NameCollision')
          ? { ok: false, reason: 'NameCollision', message: mine.map((c) => c.message).join('; ') }
          : drift.length
            ? {
                ok: false,
                reason: 'Drifted',
                message: `edited out of band and left so (--drift=report): ${drift.map((d) => d.object).join(', ')}`,
              }
            : programmed,
    });
  }
  return { outcomes, drifted, writes: s.client.stats.writes - writesBefore };
}
