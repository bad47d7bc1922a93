import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Batcher, ItemFailure } from '../../src/db/batcher.js';

/** A run that records its batches and answers each item with item * 10 once released. */
function recorder() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((r) => releases.push(r));
    return items.map((i) => i * 10);
  };
  return { batches, releases, run };
}

describe('Batcher', () => {
  it('runs the calls of one event-loop turn as one batch, answering each with its own result', async () => {
    const seen: number[][] = [];
    const b = new Batcher<number, number>(async (items) => (seen.push(items), items.map((i) => i + 100)), { maxInFlight: 4, maxBatch: 64 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => b.add(i)));
    expect(results).toEqual([101, 102, 103, 104, 105]);
    expect(seen).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('a lone call runs at the end of the turn, without waiting for a timer or other calls', async () => {
    const b = new Batcher<number, number>(async (items) => items, { maxInFlight: 1, maxBatch: 8 });
    let done = false;
    void b.add(7).then(() => (done = true));
    await nextTurn();
    await nextTurn();
    expect(done).toBe(true);
  });

  it('splits at maxBatch and holds calls back while maxInFlight batches run, then runs them together', async () => {
    const r = recorder();
    const b = new Batcher<number, number>(r.run, { maxInFlight: 2, maxBatch: 3 });
    const first = [1, 2, 3, 4, 5, 6, 7].map((i) => b.add(i));
    await nextTurn();
    expect(r.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]); // two in flight; 7 waits
    const later = [8, 9].map((i) => b.add(i));
    await nextTurn();
    expect(r.batches).toHaveLength(2);
    r.releases.shift()!();
    await nextTurn();
    await nextTurn();
    expect(r.batches[2]).toEqual([7, 8, 9]);
    for (const release of r.releases.splice(0)) release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('an ItemFailure rejects only its item; a thrown error rejects the whole batch', async () => {
    const b = new Batcher<number, number>(async (items) => items.map((i) => (i === 2 ? new ItemFailure(new Error('two')) : i)), {
      maxInFlight: 1,
      maxBatch: 8,
    });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => b.add(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe('two');

    let calls = 0;
    const flaky = new Batcher<number, number>(
      async (items) => {
        if (calls++ === 0) throw new Error('connection lost');
        return items;
      },
      { maxInFlight: 1, maxBatch: 8 },
    );
    const all = await Promise.allSettled([1, 2].map((i) => flaky.add(i)));
    expect(all.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'connection lost')).toBe(true);
    // The next batch runs as usual.
    expect(await flaky.add(5)).toBe(5);
  });

  it('refuses a run that answers with the wrong number of results', async () => {
    const b = new Batcher<number, number>(async (items) => items.slice(1), { maxInFlight: 1, maxBatch: 8 });
    await expect(Promise.all([b.add(1), b.add(2)])).rejects.toThrow(/1 results for 2 items/);
  });
});
