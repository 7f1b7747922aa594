/**
 * How many requests a client keeps in flight, tuned to the API server's answers (AIMD, as TCP's
 * congestion control and Netflix's concurrency-limits do): one more after a full window of
 * answered requests, half as many when the server says it is overloaded (429 Too Many Requests,
 * which API Priority and Fairness sends when our priority level's seats are taken). A fixed limit
 * either leaves a large API server idle or keeps a small one throttling every other request.
 *
 * Until the server first pushes back, the limit grows by one per answer, doubling each window (TCP's
 * slow start, RFC 5681 section 3.1): one more per window took ~470 answers to go from 8 to 32, so a
 * 1,000-object apply to a distant API server spent most of its dry-runs below the limit it could use.
 */
export interface AdaptiveLimitOptions {
  /** Where to start (default 8, what the fixed limit was). */
  readonly initial?: number;
  readonly min?: number;
  /** Never more in flight than this (default 32). */
  readonly max?: number;
}

export type Outcome = 'ok' | 'overloaded' | 'failed';

export class AdaptiveLimit {
  readonly min: number;
  readonly max: number;
  private current: number;
  private inFlight = 0;
  private answered = 0;
  /** Each request's ticket, in the order they were let through. */
  private nextTicket = 0;
  /**
   * The first ticket after the last cut. Answers to requests sent before it describe the load
   * that caused the cut: a burst of 429s is one signal (one halving), and its successes do not
   * count towards growing again (as TCP cuts its window once per round trip).
   */
  private cutAt = 0;
  /** No 429 yet: grow by one per answer (slow start), not per window. */
  private slowStart = true;
  private peakInFlight = 0;
  private lowestLimit: number;
  private readonly waiting: ((ticket: number) => void)[] = [];

  constructor(opts: AdaptiveLimitOptions = {}) {
    this.min = Math.max(1, opts.min ?? 1);
    this.max = Math.max(this.min, opts.max ?? 32);
    this.current = Math.min(this.max, Math.max(this.min, opts.initial ?? 8));
    this.lowestLimit = this.current;
  }

  /** The lowest the limit went (how hard the server pushed back). */
  get lowest(): number {
    return this.lowestLimit;
  }

  /** The limit now. */
  get limit(): number {
    return this.current;
  }

  /** The most requests that were ever in flight at once. */
  get peak(): number {
    return this.peakInFlight;
  }

  /** Resolves, with the request's ticket for `release`, when one more request may go out. */
  acquire(): Promise<number> {
    if (this.inFlight < this.current) return Promise.resolve(this.take());
    // The slot is taken for the waiter when it is woken (in release), so that no other caller
    // slips in between the wake-up and the waiter's turn.
    return new Promise((go) => this.waiting.push(go));
  }

  /** The request with this ticket has its answer: adjust, and let the next waiting ones go. */
  release(ticket: number, outcome: Outcome): void {
    this.inFlight--;
    const current = ticket >= this.cutAt;
    if (outcome === 'overloaded' && current) {
      this.current = Math.max(this.min, Math.floor(this.current / 2));
      this.lowestLimit = Math.min(this.lowestLimit, this.current);
      this.cutAt = this.nextTicket;
      this.answered = 0;
      this.slowStart = false;
    } else if (outcome === 'ok' && current && (this.slowStart || ++this.answered >= this.current)) {
      this.current = Math.min(this.max, this.current + 1);
      this.answered = 0;
    }
    while (this.waiting.length && this.inFlight < this.current) this.waiting.shift()?.(this.take());
  }

  private take(): number {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    return this.nextTicket++;
  }
}
