/**
 * The controller: watches the policy kinds (watch.ts), queues namespaces (queue.ts), reconciles
 * each (reconcile.ts), writes status (status.ts) and Events (events.ts) on transitions, and watches
 * the kinds it produced so an out-of-band edit is seen within seconds, not at the next resync.
 * With leader election (lease.ts) only the leader runs informers and writes; a standby waits.
 * Everything stops on the signal: the reconcile in flight finishes, then the watches close.
 */
import type { KubeClient } from '../cluster/client.js';
import type { LiveObject } from '../cluster/objects.js';
import { mapLimit } from '../cluster/pool.js';
import { type ResourceInfo, resourcePath } from '../cluster/resources.js';
import { type Session, session } from '../cluster/session.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/adapter.js';
import { API_VERSION } from '../core/model/schema.js';
import { refOf } from './compile.js';
import { CRD_GROUP, CRD_KINDS, CRD_VERSION, pluralOf } from './crds.js';
import { emitEvent } from './events.js';
import { LeaderElector } from './lease.js';
import type { MetricsSink } from './metrics.js';
import { WorkQueue } from './queue.js';
import { type ReconcileConfig, reconcileNamespace } from './reconcile.js';
import { type Condition, type PolicyStatus, sameStatus, statusOf, writeStatus } from './status.js';
import { Informer } from './watch.js';

/** The field manager of every write the controller makes (the CLI's is `anymesh`). */
export const CONTROLLER_FIELD_MANAGER = 'anymesh-controller';

export interface ControllerOptions extends ReconcileConfig {
  readonly client: KubeClient;
  /** Namespaces to watch; empty: all. */
  readonly namespaces: readonly string[];
  readonly identity: string;
  readonly leaderElect?: { namespace: string; name: string; leaseDurationSeconds?: number };
  /** Full resync period in ms (default 10 min): every namespace reconciled again. */
  readonly resyncMs?: number;
  /** Namespaces reconciled at once (default 4). */
  readonly workers?: number;
  readonly metrics: MetricsSink;
  readonly log: (message: string) => void;
}

export class Controller {
  private readonly queue = new WorkQueue();
  private readonly policyInformers: { kind: string; informer: Informer }[] = [];
  private readonly producedInformers = new Map<string, Informer>();
  private readonly generations = new Map<string, number>();
  private readonly session: Session;
  private leading = false;
  private started = false;
  private lastLoop = Date.now();
  /** Reconciles finished, for tests and the benchmark. */
  readonly counts = { reconciles: 0, errors: 0, writes: 0 };

  constructor(private readonly opts: ControllerOptions) {
    this.session = { ...session(opts.client, 'default'), fieldManager: CONTROLLER_FIELD_MANAGER };
  }

  healthy(): boolean {
    return !this.started || Date.now() - this.lastLoop < 60_000 || this.queue.depth === 0;
  }

  /** Ready once the policy caches synced; a standby (not leading) is ready too. */
  ready(): boolean {
    if (this.opts.leaderElect && !this.leading) return true;
    return this.policyInformers.length > 0 && this.policyInformers.every((p) => p.informer.hasSynced);
  }

  async run(signal: AbortSignal): Promise<'stopped' | 'lost'> {
    this.started = true;
    if (!this.opts.leaderElect) {
      await this.lead(signal);
      return 'stopped';
    }
    const elector = new LeaderElector(this.opts.client, {
      ...this.opts.leaderElect,
      identity: this.opts.identity,
      log: this.opts.log,
    });
    return elector.run(signal, (leading) => this.lead(leading));
  }

  private collections(plural: string, group: string, version: string): string[] {
    const base = `/apis/${group}/${version}`;
    return this.opts.namespaces.length
      ? this.opts.namespaces.map((ns) => `${base}/namespaces/${encodeURIComponent(ns)}/${plural}`)
      : [`${base}/${plural}`];
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    this.opts.metrics.set('anymesh_leader', 1);
    const running: Promise<void>[] = [];
    for (const kind of CRD_KINDS) {
      for (const path of this.collections(pluralOf(kind), CRD_GROUP, CRD_VERSION)) {
        const informer = new Informer(this.opts.client, path, {
          log: this.opts.log,
          onEvent: (type, obj) => {
            obj.apiVersion = API_VERSION;
            obj.kind = kind;
            const key = refOf(obj);
            const gen = obj.metadata.generation ?? 0;
            // A status write changes the object but not its generation: nothing to do for it.
            if (type === 'MODIFIED' && this.generations.get(key) === gen) return;
            if (type === 'DELETED') this.generations.delete(key);
            else this.generations.set(key, gen);
            this.queue.add(obj.metadata.namespace ?? 'default');
          },
        });
        this.policyInformers.push({ kind, informer });
        running.push(informer.run(signal));
      }
    }
    const resync = setInterval(() => this.enqueueAll(), this.opts.resyncMs ?? 600_000);
    const workers = Array.from({ length: this.opts.workers ?? 4 }, () => this.work(signal));
    signal.addEventListener('abort', () => this.queue.shutDown());
    await Promise.all(workers);
    clearInterval(resync);
    await Promise.all(running);
    this.leading = false;
    this.opts.metrics.set('anymesh_leader', 0);
  }

  private enqueueAll(): void {
    const namespaces = new Set<string>();
    for (const { informer } of this.policyInformers)
      for (const p of informer.cache.values()) namespaces.add(p.metadata.namespace ?? 'default');
    for (const ns of namespaces) this.queue.add(ns);
  }

  /** Watches a kind the controller produced (our label only), so edits to its objects requeue their namespace. */
  private watchProduced(info: ResourceInfo, signal: AbortSignal): void {
    const key = `${info.group}/${info.kind}`;
    if (this.producedInformers.has(key) || signal.aborted) return;
    for (const path of this.opts.namespaces.length
      ? this.opts.namespaces.map((ns) => resourcePath(info, ns))
      : [resourcePath(info, undefined)]) {
      const informer = new Informer(this.opts.client, path, {
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
        log: this.opts.log,
        onEvent: (_type, obj) => {
          if (obj.metadata.namespace) this.queue.add(obj.metadata.namespace);
        },
      });
      this.producedInformers.set(key, informer);
      void informer.run(signal);
    }
  }

  private policiesIn(namespace: string): LiveObject[] {
    const out: LiveObject[] = [];
    for (const { informer } of this.policyInformers)
      for (const p of informer.cache.values())
        if ((p.metadata.namespace ?? 'default') === namespace && !p.metadata.deletionTimestamp) out.push(p);
    return out.sort((a, b) => refOf(a).localeCompare(refOf(b)));
  }

  private async work(signal: AbortSignal): Promise<void> {
    for (;;) {
      const ns = await this.queue.next();
      if (ns === undefined) return;
      this.opts.metrics.set('anymesh_workqueue_depth', this.queue.depth);
      const started = process.hrtime.bigint();
      try {
        await this.reconcile(ns, signal);
        this.queue.forget(ns);
        this.opts.metrics.inc('anymesh_reconcile_total', { result: 'success' });
      } catch (err) {
        this.counts.errors++;
        this.opts.metrics.inc('anymesh_reconcile_total', { result: 'error' });
        this.opts.metrics.inc('anymesh_reconcile_errors_total');
        this.opts.log(`reconcile ${ns}: ${(err as Error).message}`);
        if (!signal.aborted) this.queue.retry(ns);
      } finally {
        this.counts.reconciles++;
        this.lastLoop = Date.now();
        this.opts.metrics.observe(
          'anymesh_reconcile_duration_seconds',
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        this.queue.done(ns);
      }
    }
  }

  private async reconcile(namespace: string, signal: AbortSignal): Promise<void> {
    const s: Session = { ...this.session, namespace };
    const policies = this.policiesIn(namespace);
    const r = await reconcileNamespace(s, namespace, policies, this.opts);
    let writes = r.writes;
    for (const d of r.drifted)
      this.opts.metrics.inc('anymesh_drift_total', { action: d.reverted ? 'reverted' : 'reported' });
    // Produced kinds are watched from their first appearance on.
    for (const gk of new Set(policies.length ? await this.producedKinds(s, r) : []))
      this.watchProduced(gk, signal);
    // Statuses and Events of a namespace's policies are independent writes: sent 8 at a time (a
    // namespace of 20 policies is 20 status writes and 40 Events on a first reconcile).
    const settled = await mapLimit(policies, 8, async (policy) => {
      const ref = refOf(policy);
      const outcome = r.outcomes.get(ref);
      if (!outcome) return;
      const previous = ((policy.status as PolicyStatus | undefined)?.conditions ?? []) as Condition[];
      const status = statusOf(outcome, this.opts.adapter.id, policy.metadata.generation ?? 0, previous);
      if (!sameStatus(policy.status, status)) {
        if (await writeStatus(this.opts.client, policy, status, CONTROLLER_FIELD_MANAGER)) writes++;
        writes += await this.transitions(policy, previous, status.conditions);
      }
      for (const d of r.drifted.filter((x) => x.refs.includes(ref))) {
        await emitEvent(
          this.opts.client,
          policy,
          d.reverted ? 'Normal' : 'Warning',
          d.reverted ? 'DriftReverted' : 'Drifted',
          `${d.object} was edited out of band; ${d.reverted ? 'reverted' : 'left as it is (--drift=report)'}`,
          this.opts.identity,
        );
        writes++;
      }
    });
    this.counts.writes += writes;
    this.opts.metrics.inc('anymesh_writes_total', {}, writes);
    const failed = settled.find((x) => x.status === 'rejected');
    if (failed) throw failed.reason; // the namespace is retried
  }

  private async producedKinds(
    s: Session,
    r: Awaited<ReturnType<typeof reconcileNamespace>>,
  ): Promise<ResourceInfo[]> {
    const out: ResourceInfo[] = [];
    const seen = new Set<string>();
    for (const o of r.outcomes.values())
      for (const obj of o.objects) {
        const k = `${obj.apiVersion}/${obj.kind}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const info = await s.mapper.find(obj.apiVersion, obj.kind);
        if (info) out.push(info);
      }
    return out;
  }

  /** One Event per condition that changed status; answers the writes sent. */
  private async transitions(
    policy: LiveObject,
    before: readonly Condition[],
    after: readonly Condition[],
  ): Promise<number> {
    let n = 0;
    for (const c of after) {
      const was = before.find((b) => b.type === c.type);
      if (was?.status === c.status && was.reason === c.reason) continue;
      if (!was && c.status === 'False' && c.type !== 'Accepted' && c.type !== 'Programmed') continue;
      const bad = (c.type === 'Accepted' || c.type === 'Programmed') === (c.status === 'False');
      await emitEvent(
        this.opts.client,
        policy,
        bad ? 'Warning' : 'Normal',
        c.reason,
        `${c.type}=${c.status}: ${c.message}`,
        this.opts.identity,
      );
      n++;
    }
    return n;
  }
}
