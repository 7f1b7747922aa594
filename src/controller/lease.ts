/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
 * (k8s.io/client-go/tools/leaderelection/leaderelection.go) does it: a candidate takes the Lease
 * when it is free or its holder has not renewed it for leaseDurationSeconds *as observed locally*
 * (client-go's observedTime: the time this process saw the record change, by its own clock; other
 * machines' clocks are never trusted), and the holder renews it every retry period. Every write is
 * an update with the resourceVersion read, so two candidates can never both win: the API server
 * refuses the second (409 Conflict). A leader that cannot renew within renewDeadline (shorter than
 * the lease duration) stops leading, its work aborted, before another candidate can take over, so
 * two replicas never both write.
 *
 * Unlike client-go, a standby does not poll on the retry period: it watches the one Lease
 * (fieldSelector metadata.name), so it sees each renewal the moment it lands, and sleeps until the
 * lease it observed expires (observed time + leaseDurationSeconds) or the holder releases it. A
 * poll would add up to two retry periods to a failover (one before the last renewal is seen, one
 * after it expires); the watch makes failover the lease duration after the last renewal.
 *
 * On a clean stop the holder releases the Lease as client-go's release() writes it (holderIdentity
 * empty, leaseDurationSeconds 1, acquireTime and renewTime now, leaseTransitions kept), so a
 * standby takes over at once.
 */
import { performance } from 'node:perf_hooks';
import { KubeApiError, type KubeClient } from '../cluster/client.js';
import type { LiveObject } from '../cluster/objects.js';
import { Informer } from './watch.js';

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** Default 15 s, as client-go; renew deadline 2/3 of it (at most 10 s), retry period 2 s. */
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly log?: (message: string) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** metav1.MicroTime is RFC 3339 with six fractional digits. */
const microTime = (d = new Date()) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Timing of one elector; exported for the unit test of the defaults. */
export function leaseTiming(
  opts: Pick<LeaseOptions, 'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs'>,
): {
  durationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
} {
  const durationMs = (opts.leaseDurationSeconds ?? 15) * 1000;
  // client-go refuses LeaseDuration <= RenewDeadline: a leader must give up before a standby may
  // take over. Its defaults are 15 s / 10 s / 2 s; a shorter lease keeps the same proportions.
  const renewDeadlineMs = opts.renewDeadlineMs ?? Math.min(10_000, Math.floor((durationMs * 2) / 3));
  const retryPeriodMs = opts.retryPeriodMs ?? Math.min(2_000, Math.floor(renewDeadlineMs / 2));
  if (renewDeadlineMs >= durationMs)
    throw new Error(
      `lease duration ${durationMs} ms must be longer than the renew deadline ${renewDeadlineMs} ms`,
    );
  if (retryPeriodMs <= 0 || retryPeriodMs >= renewDeadlineMs)
    throw new Error(
      `retry period ${retryPeriodMs} ms must be shorter than the renew deadline ${renewDeadlineMs} ms`,
    );
  return { durationMs, renewDeadlineMs, retryPeriodMs };
}

export class LeaderElector {
  /** The last Lease record seen and when (performance.now(): monotonic, as the timers are). */
  private observed: { record: string; spec: LeaseSpec; at: number } | undefined;
  private readonly timing: ReturnType<typeof leaseTiming>;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaseOptions,
  ) {
    this.timing = leaseTiming(opts);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  private get objectPath(): string {
    return `${this.path}/${encodeURIComponent(this.opts.name)}`;
  }

  /** Records a Lease spec; the observed time moves only when the record changed (client-go's rule). */
  private observe(spec: LeaseSpec): void {
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, spec, at: performance.now() };
  }

  /** Milliseconds until the observed lease may be taken: 0 when free, expired or ours. */
  private untilExpiry(): number {
    const o = this.observed;
    if (!o) return this.timing.retryPeriodMs;
    if (!o.spec.holderIdentity || o.spec.holderIdentity === this.opts.identity) return 0;
    const durationMs = (o.spec.leaseDurationSeconds ?? this.timing.durationMs / 1000) * 1000;
    return Math.max(0, o.at + durationMs - performance.now());
  }

  /** One attempt to take or renew the Lease; true when we hold it afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const me = this.opts.identity;
    const live = await this.client.get<Lease>(this.objectPath);
    if (!live) {
      const now = microTime();
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: {
          holderIdentity: me,
          leaseDurationSeconds: this.timing.durationMs / 1000,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      try {
        const r = await this.client.request<Lease>('POST', this.path, lease);
        this.observe(r.body.spec);
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 409) return false; // someone else was first
        throw err;
      }
    }
    this.observe(live.spec);
    const holder = live.spec.holderIdentity;
    if (holder && holder !== me && this.untilExpiry() > 0) return false;
    // Stamped after the read, just before the write: the renewTime others count from.
    const now = microTime();
    const spec: LeaseSpec = {
      ...live.spec,
      holderIdentity: me,
      leaseDurationSeconds: this.timing.durationMs / 1000,
      renewTime: now,
      ...(holder !== me ? { acquireTime: now, leaseTransitions: (live.spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      // PUT with the resourceVersion read: optimistic concurrency decides between candidates.
      const r = await this.client.request<Lease>('PUT', this.objectPath, { ...live, spec });
      this.observe(r.body.spec);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 409) return false;
      throw err;
    }
  }

  private async attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch (err) {
      this.opts.log?.(`lease ${this.opts.namespace}/${this.opts.name}: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * Standby: watches the Lease and tries again when the observed lease expires or is released (or,
   * while no record has been seen, every retry period). Resolves true once this candidate leads,
   * false when `signal` aborts first.
   */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    const watchStop = new AbortController();
    const stop = () => watchStop.abort();
    signal.addEventListener('abort', stop);
    let wake: (() => void) | undefined;
    const informer = new Informer(this.client, this.path, {
      fieldSelector: `metadata.name=${this.opts.name}`,
      log: this.opts.log,
      onEvent: (type, obj) => {
        if (type === 'DELETED') this.observed = undefined;
        else this.observe((obj as LiveObject & { spec: LeaseSpec }).spec);
        wake?.();
      },
    });
    const watching = informer.run(watchStop.signal);
    try {
      while (!signal.aborted) {
        if (await this.attempt()) return true;
        await new Promise<void>((done) => {
          let timer: NodeJS.Timeout | undefined;
          const finish = () => {
            clearTimeout(timer);
            wake = undefined;
            signal.removeEventListener('abort', finish);
            done();
          };
          // Each change of the record (a renewal, a release) moves the moment to wake.
          wake = () => {
            clearTimeout(timer);
            const ms = this.untilExpiry();
            if (ms === 0) finish();
            else timer = setTimeout(finish, ms + 1);
          };
          signal.addEventListener('abort', finish);
          wake();
        });
      }
      return false;
    } finally {
      watchStop.abort();
      signal.removeEventListener('abort', stop);
      await watching;
    }
  }

  /**
   * Waits until this candidate leads, then calls `lead` with a signal that aborts when leadership
   * is lost (or `signal` aborts); resolves when leading has ended. On a clean stop the Lease is
   * released so a standby takes over at once instead of after the lease duration.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<'stopped' | 'lost'> {
    if (!(await this.acquire(signal))) return 'stopped';
    this.opts.log?.(
      `leading (lease ${this.opts.namespace}/${this.opts.name}, identity ${this.opts.identity})`,
    );
    const leading = new AbortController();
    const onStop = () => leading.abort();
    signal.addEventListener('abort', onStop);
    let lost = false;
    const renew = (async () => {
      let lastRenew = performance.now();
      while (!leading.signal.aborted) {
        await new Promise<void>((done) => {
          const t = setTimeout(done, this.timing.retryPeriodMs);
          leading.signal.addEventListener('abort', () => {
            clearTimeout(t);
            done();
          });
        });
        if (leading.signal.aborted) return;
        // Counted from when the attempt started: the renewTime it writes is no older than that.
        const started = performance.now();
        if (await this.attempt()) lastRenew = started;
        else if (performance.now() - lastRenew > this.timing.renewDeadlineMs) {
          lost = true;
          this.opts.log?.('leadership lost: the Lease could not be renewed in time');
          leading.abort();
        }
      }
    })();
    try {
      await lead(leading.signal);
    } finally {
      leading.abort();
      await renew;
      signal.removeEventListener('abort', onStop);
    }
    if (!lost) await this.release();
    return lost ? 'lost' : 'stopped';
  }

  /** client-go's release(): the record emptied of its holder, valid for 1 s, times now. */
  private async release(): Promise<void> {
    try {
      const live = await this.client.get<Lease>(this.objectPath);
      if (live?.spec.holderIdentity !== this.opts.identity) return;
      const now = microTime();
      await this.client.request('PUT', this.objectPath, {
        ...live,
        spec: {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: live.spec.leaseTransitions ?? 0,
        },
      });
      this.opts.log?.(`released lease ${this.opts.namespace}/${this.opts.name}`);
    } catch (err) {
      // Best effort: the Lease expires by itself.
      this.opts.log?.(`lease release failed: ${(err as Error).message}`);
    }
  }
}
