/**
 * Batcher: one statement for many concurrent requests. Calls of add() that arrive while the
 * event loop is busy (in the same turn, or while maxInFlight earlier batches are still running)
 * are handed to `run` together, so N concurrent requests cost one round trip, one statement and
 * (for a write) one commit instead of N. Under light load a batch holds one item and runs at
 * the end of the current event-loop turn (setImmediate), so nothing waits on a timer.
 *
 * `run(items)` returns one result per item, in order; an ItemFailure in place of a result
 * rejects that item alone with its reason. If `run` throws, every item of the batch is rejected.
 */

import { isRefusedForItsData } from './errors.js';

/** Returned by `run` in place of one item's result: that item's add() rejects with `reason`. */
export class ItemFailure {
  constructor(readonly reason: unknown) {}
}

export interface BatcherOptions {
  /** Batches running at once; items that arrive meanwhile wait for the next batch. */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly flushNow = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    private readonly run: (items: I[]) => Promise<(O | ItemFailure)[]>,
    private readonly options: BatcherOptions,
  ) {
    if (!(options.maxInFlight >= 1 && options.maxBatch >= 1)) throw new Error('Batcher: maxInFlight and maxBatch must be at least 1');
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.length <= this.options.maxBatch ? this.queue : this.queue.slice(0, this.options.maxBatch);
      this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
      this.inFlight++;
      void this.start(batch);
    }
  }

  private async start(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`Batcher: run returned ${results.length} results for ${batch.length} items`);
      for (let i = 0; i < batch.length; i++) {
        const r = results[i];
        if (r instanceof ItemFailure) batch[i].reject(r.reason);
        else batch[i].resolve(r);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}

/**
 * rowByRow(write): a batch `run` for a statement that writes one row per item. If the database
 * refuses the whole statement for one row's data (say, a foreign key that vanished meanwhile),
 * nothing was written, so the items are written one by one and only the bad one fails. Any
 * other error (a lost connection: the batch may have committed) fails the batch as it is.
 */
export function rowByRow<I, O>(write: (items: I[]) => Promise<O[]>): (items: I[]) => Promise<(O | ItemFailure)[]> {
  return async (items) => {
    try {
      return await write(items);
    } catch (err) {
      if (items.length === 1 || !isRefusedForItsData(err)) throw err;
      const settled = await Promise.allSettled(items.map((item) => write([item])));
      return settled.map((s) => (s.status === 'fulfilled' ? s.value[0] : new ItemFailure(s.reason)));
    }
  };
}
