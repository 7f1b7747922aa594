/** The in-flight limit every KubeClient request goes through: AIMD on the API server's answers. */
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../../src/cluster/adaptive-limit.js';

const tick = () => new Promise((r) => setImmediate(r));

/** Starts `n` acquisitions; says how many got a slot at once, and every ticket when all have one. */
async function grab(limit: AdaptiveLimit, n: number) {
  let started = 0;
  const tickets = Array.from({ length: n }, () =>
    limit.acquire().then((t) => {
      started++;
      return t;
    }),
  );
  await tick();
  return { started: () => started, tickets };
}

/** `n` requests one after the other, each answered with `outcome`. */
async function answer(limit: AdaptiveLimit, n: number, outcome: 'ok' | 'overloaded') {
  for (let i = 0; i < n; i++) limit.release(await limit.acquire(), outcome);
}

describe('AdaptiveLimit', () => {
  it('lets at most the limit through, and the next one when a slot is released', async () => {
    const limit = new AdaptiveLimit({ initial: 3, max: 10 });
    const { started, tickets } = await grab(limit, 5);
    expect(started()).toBe(3);
    limit.release(await tickets[0]!, 'failed');
    await tick();
    expect(started()).toBe(4);
    expect(limit.peak).toBe(3);
  });

  it('grows by one per answer until the first 429 (slow start), up to max', async () => {
    const limit = new AdaptiveLimit({ initial: 8, max: 32 });
    await answer(limit, 8, 'ok');
    expect(limit.limit).toBe(16);
    await answer(limit, 16, 'ok');
    expect(limit.limit).toBe(32);
    await answer(limit, 100, 'ok');
    expect(limit.limit).toBe(32);
  });

  it('after a 429, grows by one after a window of successful answers, up to max', async () => {
    const limit = new AdaptiveLimit({ initial: 4, max: 4 });
    await answer(limit, 1, 'overloaded');
    expect(limit.limit).toBe(2);
    await answer(limit, 1, 'ok');
    expect(limit.limit).toBe(2);
    await answer(limit, 1, 'ok');
    expect(limit.limit).toBe(3);
    await answer(limit, 3, 'ok');
    expect(limit.limit).toBe(4);
    await answer(limit, 100, 'ok');
    expect(limit.limit).toBe(4);
  });

  it('halves once for a burst of 429s to requests sent together, and keeps halving while they go on, never below min', async () => {
    const limit = new AdaptiveLimit({ initial: 16, max: 32 });
    const { tickets } = await grab(limit, 16);
    for (const t of await Promise.all(tickets)) limit.release(t, 'overloaded');
    expect(limit.limit).toBe(8);
    await answer(limit, 1, 'overloaded');
    expect(limit.limit).toBe(4);
    await answer(limit, 20, 'overloaded');
    expect(limit.limit).toBe(1);
    expect(limit.lowest).toBe(1);
  });

  it('does not let the answers to requests sent before a cut undo it', async () => {
    const limit = new AdaptiveLimit({ initial: 4, max: 8 });
    const first = await grab(limit, 4);
    const [a, b, c, d] = await Promise.all(first.tickets);
    let woke = 0;
    for (let i = 0; i < 4; i++) void limit.acquire().then(() => void woke++);
    // One 429 halves the limit to 2 with 3 still in flight: nobody may start.
    limit.release(a!, 'overloaded');
    await tick();
    expect(woke).toBe(0);
    // Two successes sent before the cut: one slot frees up under the limit of 2, and the limit stays.
    limit.release(b!, 'ok');
    limit.release(c!, 'ok');
    await tick();
    expect(limit.limit).toBe(2);
    expect(woke).toBe(1);
    limit.release(d!, 'ok');
    await tick();
    expect(woke).toBe(2);
  });
});
