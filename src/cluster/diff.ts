/**
 * What apply would change: each object's live state against the API server's dry-run of the apply
 * (so defaults, admission and merges are the server's own), as a unified diff of YAML without
 * bookkeeping metadata (managedFields, resourceVersion, generation, uid, creationTimestamp). With
 * prune, objects apply would delete are shown as removed.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../core/adapter.js';
import { type Diagnostic, hasErrors } from '../core/diagnostics.js';
import type { ApplyOptions } from './apply.js';
import { APPLYSET_PART_OF_LABEL, idOf, parentName, readParent } from './applyset.js';
import { errorDiagnostic } from './errors.js';
import { canonical, display, forDisplay, type LiveObject } from './objects.js';
import { checkNamespaces, planObjects, prepare } from './plan.js';
import { findPruneCandidates } from './prune.js';
import type { ObjectResult } from './results.js';
import type { Session } from './session.js';
import { readLive } from './verbs.js';
import { unifiedDiff } from './yaml-diff.js';

export interface DiffReport {
  readonly ok: boolean;
  /** True when apply would change something. */
  readonly changed: boolean;
  readonly objects: ObjectResult[];
  /** The unified diff, one section per changed object. */
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

const yaml = (o: LiveObject | undefined) => (o ? stringify(canonical(forDisplay(o)), { lineWidth: 0 }) : '');

function label(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : 'core';
  return `${group}.${o.kind}.${o.metadata.namespace ?? '_cluster'}.${o.metadata.name}`;
}

export async function diff(
  s: Session,
  resources: readonly KubeObject[],
  opts: Pick<ApplyOptions, 'applySet' | 'mesh' | 'prune' | 'forceConflicts' | 'concurrency'>,
): Promise<DiffReport> {
  const id = idOf(opts.applySet);
  const prepared = await prepare(s, resources, { applySetId: id, mesh: opts.mesh });
  const diagnostics = [...prepared.diagnostics];
  const failed = (): DiffReport => ({ ok: false, changed: false, objects: [], text: '', diagnostics });
  if (hasErrors(diagnostics)) return failed();
  diagnostics.push(...(await checkNamespaces(s, prepared.targets)));
  if (hasErrors(diagnostics)) return failed();
  const plan = await planObjects(s, prepared.targets, {
    force: opts.forceConflicts === true,
    serverDryRun: true,
    concurrency: Math.max(1, opts.concurrency ?? s.client.inFlight.max),
    selector: `${APPLYSET_PART_OF_LABEL}=${id}`,
    // What is already as the apply would make it has nothing to show: no dry-run needed.
    skipUnchanged: true,
  });
  diagnostics.push(...plan.diagnostics);
  const sections: string[] = [];
  const objects: ObjectResult[] = [];
  for (const p of plan.planned) {
    objects.push(p.result);
    if (p.result.action === 'unchanged') continue;
    const text = unifiedDiff(
      yaml(p.live),
      yaml(p.merged),
      `live/${label(p.target.object)}`,
      `merged/${label(p.target.object)}`,
    );
    // Only ownership changed (managedFields): nothing to show, but apply would write.
    sections.push(text || `# ${display(p.target.object)}: field ownership changes only\n`);
  }
  if (opts.prune && !hasErrors(diagnostics)) {
    const secret = (await s.mapper.find('v1', 'Secret'))!;
    let parent: LiveObject | undefined;
    try {
      parent = await readLive(s, secret, opts.applySet.namespace, parentName(opts.applySet));
    } catch (err) {
      diagnostics.push(
        errorDiagnostic(err, {
          object: `Secret ${opts.applySet.namespace}/${parentName(opts.applySet)}`,
          verb: 'get',
          server: s.client.server,
          write: false,
        }),
      );
    }
    const found = await findPruneCandidates(s, opts.applySet, readParent(parent), prepared.targets);
    diagnostics.push(...found.diagnostics);
    for (const c of found.candidates) {
      objects.push(c.result);
      sections.push(unifiedDiff(yaml(c.live), '', `live/${label(c.live)}`, `merged/${label(c.live)}`));
    }
  }
  if (hasErrors(diagnostics)) return failed();
  const changed = objects.some((o) => o.action !== 'unchanged');
  return { ok: true, changed, objects, text: sections.join(''), diagnostics };
}
