/**
 * List + watch of one collection, the informer pattern of client-go (tools/cache Reflector): a
 * LIST gives the objects and a resourceVersion, a WATCH from that resourceVersion gives every
 * change after it, with bookmarks (`allowWatchBookmarks=true`) so the resourceVersion stays fresh
 * while nothing changes. A watch that ends (the server's timeoutSeconds, a restart, a lost
 * connection) resumes from the last resourceVersion seen; a 410 Gone (that version was compacted
 * away) starts over with a LIST, whose differences from the cache are sent as events, so nothing
 * is missed across the gap. Kubernetes API concepts, "Efficient detection of changes" and "Watch
 * bookmarks".
 */
import { KubeApiError, type KubeClient } from '../cluster/client.js';
import type { LiveObject } from '../cluster/objects.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerOptions {
  readonly labelSelector?: string;
  /** e.g. `metadata.name=X`: one object of the collection (the Lease a standby watches). */
  readonly fieldSelector?: string;
  /** Called for every change, with the object as it now is (as it was last, for DELETED). */
  readonly onEvent: (type: EventType, obj: LiveObject) => void;
  /** Server-side timeout of one watch request, in seconds (default 300). */
  readonly watchTimeoutSeconds?: number;
  readonly log?: (message: string) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      done();
    });
  });

const keyOf = (o: LiveObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer {
  /** namespace/name -> the object as last seen. */
  readonly cache = new Map<string, LiveObject>();
  private resourceVersion = '';
  private synced = false;
  /** Watches opened, relists made: what the restart test looks at. */
  readonly counts = { lists: 0, watches: 0, bookmarks: 0 };

  constructor(
    private readonly client: KubeClient,
    /** The collection, e.g. /apis/anymesh.dev/v1alpha1/trafficpolicies (all namespaces). */
    private readonly collection: string,
    private readonly opts: InformerOptions,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra);
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    return `${this.collection}?${q}`;
  }

  /** LIST, then the cache made equal to it, differences sent as events. */
  private async relist(): Promise<void> {
    this.counts.lists++;
    const list = await this.client.request<{ metadata?: { resourceVersion?: string }; items?: LiveObject[] }>(
      'GET',
      this.query({}),
    );
    const seen = new Set<string>();
    for (const obj of list.body.items ?? []) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (!old) this.opts.onEvent('ADDED', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.opts.onEvent('MODIFIED', obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.opts.onEvent('DELETED', old);
    }
    this.resourceVersion = list.body.metadata?.resourceVersion ?? '';
    this.synced = true;
  }

  private apply(type: string, obj: LiveObject): void {
    if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (type === 'BOOKMARK') {
      this.counts.bookmarks++;
      return;
    }
    const key = keyOf(obj);
    if (type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, obj);
    this.opts.onEvent(type as EventType, obj);
  }

  /** Runs until `signal` aborts: list, then watch and resume, relisting when the version is gone. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 250;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) await this.relist();
        needList = false;
        this.counts.watches++;
        const path = this.query({
          watch: '1',
          allowWatchBookmarks: 'true',
          resourceVersion: this.resourceVersion,
          timeoutSeconds: String(this.opts.watchTimeoutSeconds ?? 300),
        });
        let gone = false;
        await this.client.stream(
          path,
          (doc) => {
            const ev = doc as { type?: string; object?: LiveObject & { code?: number } };
            if (!ev?.type || !ev.object) return;
            if (ev.type === 'ERROR') {
              // A Status in the stream: 410 means the resourceVersion is too old (compacted).
              if (ev.object.code === 410) gone = true;
              return;
            }
            this.apply(ev.type, ev.object);
          },
          signal,
        );
        if (gone) needList = true;
        backoff = 250;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof KubeApiError && err.code === 410) needList = true;
        this.opts.log?.(`watch ${this.collection}: ${(err as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}
