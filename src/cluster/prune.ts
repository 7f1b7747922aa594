/**
 * Prune (ApplySet, KEP-3659): the members of a set that the current objects no longer include, found
 * by the part-of label in every group-kind and namespace the parent records or the set applies to
 * now, and their deletion checked by a server-side dry run before apply deletes them.
 */
import { type Diagnostic, diag } from '../core/diagnostics.js';
import {
  APPLYSET_PART_OF_LABEL,
  type ApplySetRef,
  groupKindsOf,
  idOf,
  type ParentState,
} from './applyset.js';
import { errorDiagnostic } from './errors.js';
import { appliedByAnymesh, display, keyOf, type LiveObject, type Target } from './objects.js';
import { groupKind, type ResourceInfo, resourcePath } from './resources.js';
import { type ObjectResult, resultOf } from './results.js';
import type { Session } from './session.js';
import { deleteObject } from './verbs.js';

export interface PruneCandidate {
  readonly info: ResourceInfo;
  readonly live: LiveObject;
  readonly result: ObjectResult;
}

/**
 * Members of the set no longer wanted: objects with our part-of label, of a group-kind the parent
 * lists or we apply now, in a namespace the parent lists or we apply to now, that are not in
 * `keep`. Only objects anymesh applied (a server-side apply entry of the session's field manager)
 * are candidates; others with a copied label are reported and left alone.
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
        if (!appliedByAnymesh(live, s.fieldManager)) {
          diagnostics.push(diag('PruneSkippedForeign', { object: display(live) }));
          continue;
        }
        candidates.push({ info, live, result: resultOf({ object: live }, 'pruned') });
      }
    }
  }
  return { candidates, diagnostics };
}

/** Server-side dry-run delete of each candidate (RBAC, admission); failures become diagnostics. */
export async function dryRunPrunes(s: Session, candidates: readonly PruneCandidate[]): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
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
  return diagnostics;
}
