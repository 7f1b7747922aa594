/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does
 * it: a candidate takes the Lease when it is free or its holder has not renewed it for
 * leaseDurationSeconds *as observed locally* (no trust in other machines' clocks), and the holder
 * renews it every retry period. Every write is an update with the resourceVersion read, so two
 * candidates can never both win: the API server refuses the second (409 Conflict). A leader that
 * cannot renew within renewDeadline stops leading (its work is aborted) before another candidate
 * can take over, so two replicas never both write.
 */
import { KubeApiError, type KubeClient } from '../cluster/client.js';

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** Default 15 s, renew deadline 10 s, retry period 2 s: client-go's defaults. */
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly log?: (message: string) => void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** metav1.MicroTime is RFC 3339 with six fractional digits. */
const microTime = (d = new Date()) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      done();
    });
  });

export class LeaderElector {
  private observed: { record: string; at: number } | undefined;
  private readonly duration: number;
  private readonly renewDeadline: number;
  private readonly retry: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaseOptions,
  ) {
    this.duration = opts.leaseDurationSeconds ?? 15;
    this.renewDeadline = opts.renewDeadlineMs ?? 10_000;
    this.retry = opts.retryPeriodMs ?? 2_000;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  /** One attempt to take or renew the Lease; true when we hold it afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime();
    const me = this.opts.identity;
    const live = await this.client.get<Lease>(`${this.path}/${encodeURIComponent(this.opts.name)}`);
    if (!live) {
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: {
          holderIdentity: me,
          leaseDurationSeconds: this.duration,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      try {
        await this.client.request('POST', this.path, lease);
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 409) return false; // someone else was first
        throw err;
      }
    }
    const record = JSON.stringify(live.spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = live.spec.holderIdentity;
    const expired =
      !holder || Date.now() - this.observed.at > (live.spec.leaseDurationSeconds ?? this.duration) * 1000;
    if (holder !== me && !expired) return false;
    const spec: Lease['spec'] = {
      ...live.spec,
      holderIdentity: me,
      leaseDurationSeconds: this.duration,
      renewTime: now,
      ...(holder !== me ? { acquireTime: now, leaseTransitions: (live.spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      // PUT with the resourceVersion read: optimistic concurrency decides between candidates.
      const r = await this.client.request<Lease>(
        'PUT',
        `${this.path}/${encodeURIComponent(this.opts.name)}`,
        { ...live, spec },
      );
      this.observed = { record: JSON.stringify(r.body.spec), at: Date.now() };
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
   * Waits until this candidate leads, then calls `lead` with a signal that aborts when leadership
   * is lost (or `signal` aborts); resolves when leading has ended. On a clean stop the Lease is
   * released (holder cleared) so a standby takes over at once instead of after the lease duration.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<'stopped' | 'lost'> {
    while (!signal.aborted && !(await this.attempt())) await sleep(this.retry, signal);
    if (signal.aborted) return 'stopped';
    this.opts.log?.(
      `leading (lease ${this.opts.namespace}/${this.opts.name}, identity ${this.opts.identity})`,
    );
    const leading = new AbortController();
    const onStop = () => leading.abort();
    signal.addEventListener('abort', onStop);
    let lost = false;
    const renew = (async () => {
      let lastRenew = Date.now();
      while (!leading.signal.aborted) {
        await sleep(this.retry, leading.signal);
        if (leading.signal.aborted) return;
        if (await this.attempt()) lastRenew = Date.now();
        else if (Date.now() - lastRenew > this.renewDeadline) {
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

  private async release(): Promise<void> {
    try {
      const live = await this.client.get<Lease>(`${this.path}/${encodeURIComponent(this.opts.name)}`);
      if (live?.spec.holderIdentity !== this.opts.identity) return;
      await this.client.request('PUT', `${this.path}/${encodeURIComponent(this.opts.name)}`, {
        ...live,
        spec: { ...live.spec, holderIdentity: '', renewTime: microTime() },
      });
    } catch {
      // Best effort: the Lease expires by itself.
    }
  }
}
