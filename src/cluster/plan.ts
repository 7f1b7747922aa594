/**
 * Planning: what apply, diff and delete would do, before anything is written. Each compiled object
 * is mapped to its resource (discovery), its namespace checked, its live state read and, for apply
 * and diff, its server-side apply dry-run: the dry-run result compared with the live object says
 * created / configured / unchanged.
 */
import { type KubeObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/adapter.js';
import { type Diagnostic, diag } from '../core/diagnostics.js';
import { APPLYSET_PART_OF_LABEL } from './applyset.js';
import { KubeApiError } from './client.js';
import { errorDiagnostic } from './errors.js';
import { readLiveByKind } from './live.js';
import { display, keyOf, type LiveObject, sameObject, type Target } from './objects.js';
import { mapLimit } from './pool.js';
import type { ResourceInfo } from './resources.js';
import { type Action, type ObjectResult, type ProgressHook, resultOf } from './results.js';
import type { Session } from './session.js';
import { applyChangesNothing } from './unchanged.js';
import { readLive, serverSideApply } from './verbs.js';

export interface Prepared {
  readonly targets: Target[];
  readonly diagnostics: Diagnostic[];
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
    // Only objects anymesh owns join the ApplySet. An object without the managed-by label is a
    // field anymesh sets on someone else's object (the ambient waypoint binding, a label on the
    // user's Service): it must never become a prune candidate, or prune would delete the Service.
    if (applySetId && object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
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
  // Many namespaces: one LIST says which exist (RBAC may allow only get: then one GET each).
  let existing: Set<string> | undefined;
  if (byNs.size > 2) {
    try {
      const list = await s.client.request<{ items?: { metadata: { name: string } }[] }>(
        'GET',
        '/api/v1/namespaces',
      );
      existing = new Set((list.body.items ?? []).map((n) => n.metadata.name));
    } catch {
      existing = undefined;
    }
  }
  for (const [ns, objs] of [...byNs].sort(([a], [b]) => a.localeCompare(b))) {
    if (existing?.has(ns)) continue;
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

export interface PlannedObject {
  readonly target: Target;
  readonly live: LiveObject | undefined;
  /** The server's dry-run result (undefined for --dry-run=client). */
  readonly merged: LiveObject | undefined;
  readonly result: ObjectResult;
}

/**
 * Reads and dry-runs every target; errors become diagnostics (none of them is fatal to the others).
 * Live state comes from one LIST per kind and namespace (live.ts), selected by `selector`. With
 * `skipUnchanged`, an object whose live state already is what the apply would make
 * (unchanged.ts) gets no dry-run: a re-apply of an unchanged set sends LISTs only. Without it
 * (`--dry-run=server`: the user asked the server to check everything) every object is dry-run.
 */
export async function planObjects(
  s: Session,
  targets: readonly Target[],
  opts: {
    force: boolean;
    serverDryRun: boolean;
    concurrency: number;
    /** What every target carries (default: the managed-by label every compiled object has). */
    selector?: string;
    skipUnchanged?: boolean;
    /**
     * false: an object not in the LIST is read (GET) first and dry-run only when it exists, so an
     * absent one costs a 404 instead of a dry-run (the controller's planning, whose apply dry-runs
     * what it writes anyway). Default true: dry-run it, as apply's own planning does.
     */
    dryRunUnlisted?: boolean;
    onProgress?: ProgressHook;
  },
): Promise<{ planned: PlannedObject[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const states = await readLiveByKind(s, targets, {
    selector: opts.selector ?? `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    concurrency: opts.concurrency,
  });
  let done = 0;
  const settled = await mapLimit(targets, opts.concurrency, async (t, i) => {
    const ns = t.object.metadata.namespace;
    const object = display(t.object);
    const readError = (err: unknown) =>
      errorDiagnostic(err, {
        object,
        verb: 'get',
        info: t.info,
        ...(ns ? { namespace: ns } : {}),
        server: s.client.server,
        write: false,
      });
    const state = states[i]!;
    if (state.state === 'error') throw readError(state.error);
    let live = state.state === 'found' ? state.live : undefined;
    // Not in the LIST: absent, or there without our label. The dry-run tells which (a created
    // object has no resourceVersion yet); without one, read it.
    const readUnlisted = async () => {
      try {
        live = await readLive(s, t.info, ns, t.object.metadata.name);
      } catch (err) {
        throw readError(err);
      }
    };
    let merged: LiveObject | undefined;
    if (opts.serverDryRun && state.state === 'unlisted' && opts.dryRunUnlisted === false) {
      await readUnlisted();
      if (live) {
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
    } else if (opts.serverDryRun) {
      if (live && opts.skipUnchanged && applyChangesNothing(live, t.object, s.fieldManager)) {
        merged = live;
      } else {
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
        if (state.state === 'unlisted' && merged.metadata.resourceVersion) await readUnlisted();
      }
    } else if (state.state === 'unlisted') {
      await readUnlisted();
    }
    const action: Action = !live
      ? 'created'
      : merged && (merged === live || sameObject(live, merged))
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
export function dedupeUnreachable(ds: Diagnostic[]): Diagnostic[] {
  let seen = false;
  return ds.filter((d) => {
    if (d.code !== 'AM5002') return true;
    if (seen) return false;
    seen = true;
    return true;
  });
}
