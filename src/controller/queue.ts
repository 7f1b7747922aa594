/**
 * The work queue of client-go's workqueue, in small: a key is queued once however often it is
 * added; a key added while it is being worked on is worked on again after; a failed key comes back
 * after an exponential backoff (per key, reset on success). Keys here are namespaces.
 */
export class WorkQueue {
  private readonly queued: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Workers waiting for a key: all woken on add and shutdown (each then takes one or waits again). */
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly baseDelayMs = 200,
    private readonly maxDelayMs = 30_000,
  ) {}

  get depth(): number {
    return this.queued.length;
  }

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.queued.push(key);
    this.wake();
  }

  /** After a failure: the key again, after 200 ms, 400 ms, ... up to 30 s. */
  retry(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.add(key);
      },
      Math.min(this.baseDelayMs * 2 ** (n - 1), this.maxDelayMs),
    );
    this.timers.add(t);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to work on, or undefined once the queue is shut down. */
  async next(): Promise<string | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const key = this.queued.shift();
      if (key !== undefined) {
        this.dirty.delete(key);
        this.processing.add(key);
        return key;
      }
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
      });
    }
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queued.push(key);
      this.wake();
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  shutDown(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.wake();
  }
}
