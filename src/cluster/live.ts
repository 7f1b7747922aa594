/**
 * Live state by kind and namespace: one label-selected LIST per resource and namespace instead of
 * one GET per object (1,000 objects of one kind in a namespace: 2 LIST pages instead of 1,000
 * GETs). An object the LIST does not return is `unlisted`: absent, or present without the label
 * (another tool's object of the same name); callers that must tell these apart ask once more for
 * that object alone. A kind with a single object here is read with a GET, which says absent for
 * certain; so is every object of a LIST that fails (RBAC may allow get but not list), so the
 * error, if any, is reported per object exactly as before.
 */
import type { LiveObject, Target } from './objects.js';
import { mapLimit } from './pool.js';
import { resourcePath } from './resources.js';
import type { Session } from './session.js';
import { readLive } from './verbs.js';

export type LiveState =
  | { readonly state: 'found'; readonly live: LiveObject }
  | { readonly state: 'absent' }
  | { readonly state: 'unlisted' }
  | { readonly state: 'error'; readonly error: unknown };

/** Items per LIST page: bounds the memory of one response, as kubectl's --chunk-size (500). */
const PAGE = 500;

/**
 * The live state of every target, reading with `selector` (a label selector every object of the
 * set carries). Answers in the targets' order.
 */
export async function readLiveByKind(
  s: Session,
  targets: readonly Target[],
  opts: { selector: string; concurrency: number },
): Promise<LiveState[]> {
  const groups = new Map<string, number[]>();
  targets.forEach((t, i) => {
    const path = resourcePath(t.info, t.object.metadata.namespace);
    const g = groups.get(path);
    if (g) g.push(i);
    else groups.set(path, [i]);
  });
  const out: LiveState[] = new Array(targets.length);
  const single: number[] = [];
  await mapLimit([...groups], opts.concurrency, async ([path, members]) => {
    if (members.length < 2) {
      single.push(...members);
      return;
    }
    let items: LiveObject[];
    try {
      items = await listAll(s, path, opts.selector);
    } catch {
      single.push(...members); // read one by one, each error reported with its object
      return;
    }
    const byName = new Map(items.map((o) => [o.metadata.name, o]));
    for (const i of members) {
      const live = byName.get(targets[i]!.object.metadata.name);
      out[i] = live ? { state: 'found', live } : { state: 'unlisted' };
    }
  });
  await mapLimit(single, opts.concurrency, async (i) => {
    const t = targets[i]!;
    try {
      const live = await readLive(s, t.info, t.object.metadata.namespace, t.object.metadata.name);
      out[i] = live ? { state: 'found', live } : { state: 'absent' };
    } catch (error) {
      out[i] = { state: 'error', error };
    }
  });
  return out;
}

/** Every item of a label-selected LIST, page by page. */
async function listAll(s: Session, collection: string, selector: string): Promise<LiveObject[]> {
  const items: LiveObject[] = [];
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ labelSelector: selector, limit: String(PAGE) });
    if (token) q.set('continue', token);
    const page = await s.client.request<{ items?: LiveObject[]; metadata?: { continue?: string } }>(
      'GET',
      `${collection}?${q}`,
    );
    // A LIST's items carry no apiVersion and kind; the objects compared with them do.
    const kind = (page.body as { kind?: string }).kind?.replace(/List$/, '');
    const apiVersion = (page.body as { apiVersion?: string }).apiVersion;
    for (const o of page.body.items ?? [])
      items.push({ ...o, apiVersion: o.apiVersion ?? apiVersion!, kind: o.kind ?? kind! });
    token = page.body.metadata?.continue || undefined;
  } while (token);
  return items;
}
