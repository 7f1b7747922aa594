/**
 * The requests apply, diff and delete send about one object: read it, server-side apply it (for
 * real or as a dry run), delete it with a uid precondition.
 */
import { KubeApiError } from './client.js';
import type { LiveObject, Target } from './objects.js';
import { type ResourceInfo, resourcePath } from './resources.js';
import type { Session } from './session.js';

/** The live object, or undefined when there is none. */
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

/** Server-side apply (dry-run or real) with the session's field manager. */
export async function serverSideApply(
  s: Session,
  t: Target,
  opts: { dryRun: boolean; force: boolean },
): Promise<LiveObject> {
  const q = new URLSearchParams({ fieldManager: s.fieldManager });
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
