// The work queue: a key queued once however often added, re-queued when added while in work,
// several workers all woken, and shutdown ending every waiting worker.
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/controller/queue.js';

describe('WorkQueue', () => {
  it('dedups keys and re-queues a key added while it is in work', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    const k = await q.next();
    expect(k).toBe('a');
    q.add('a'); // while in work
    expect(q.depth).toBe(1);
    q.done('a');
    expect(q.depth).toBe(2);
  });

  it('wakes every waiting worker, and shutdown ends them all', async () => {
    const q = new WorkQueue();
    const workers = [q.next(), q.next(), q.next()];
    q.add('x');
    q.add('y');
    await new Promise((r) => setTimeout(r, 0)); // the woken workers take their keys
    q.shutDown();
    const got = await Promise.all(workers);
    expect(got.filter(Boolean).sort()).toEqual(['x', 'y']);
    expect(got.filter((g) => g === undefined)).toHaveLength(1);
  });
});
