/**
 * VariantBuffer: variants of course templates drawn ahead, so that issuing one costs no trip
 * to the sandbox. A course template's variants are made only in the sandbox's workers; one
 * round trip per issued variant halves the issue path's throughput. Here a version's variants
 * come in batches (one `instantiateMany` task: random seeds, as many as a worker makes in a
 * few milliseconds), are kept per version, and each is handed out once.
 *
 * A variant is a pure function of the version's content and its seed, and a seed is drawn at
 * random whether the variant is made now or a moment ago, so a buffered variant is the same as
 * one made on demand. Versions are immutable: a new version gets its own buffer, and the old
 * one ages out of the LRU.
 */
import { randomInt } from 'node:crypto';
import { ConstraintError, type Variant } from '../engine/index.js';
import type { TemplateSandbox } from '../sandbox/index.js';
import type { LoadedVersion } from './catalogue.js';
import { MAX_STORED_SEED, MAX_UNSATISFIABLE } from './evaluate.js';

export interface VariantBufferOptions {
  /** Variants kept per version (and asked for per batch). */
  size?: number;
  /** A batch is asked for when fewer than this are left. */
  lowWater?: number;
  /** Versions buffered at once (least recently drawn are dropped). */
  maxVersions?: number;
  /** How long one batch may take in the worker before it returns what it has (ms). */
  budgetMs?: number;
  /** Unsatisfiable seeds in a row before a draw gives up with ConstraintError. */
  maxUnsatisfiable?: number;
}

interface Entry {
  ready: Variant[];
  refill: Promise<void> | undefined;
  /** Unsatisfiable seeds since the last variant was made. */
  unsatisfiable: number;
  /** Draws waiting for the refill in flight: the next batch asks for at least this many. */
  waiting: number;
}

export class VariantBuffer {
  private readonly entries = new Map<string, Entry>();
  private readonly size: number;
  private readonly lowWater: number;
  private readonly maxVersions: number;
  private readonly budgetMs: number;
  private readonly maxUnsatisfiable: number;

  constructor(
    private readonly sandbox: () => TemplateSandbox,
    options: VariantBufferOptions = {},
  ) {
    this.size = options.size ?? 32;
    this.lowWater = options.lowWater ?? Math.ceil(this.size / 2);
    this.maxVersions = options.maxVersions ?? 128;
    this.budgetMs = options.budgetMs ?? 20;
    this.maxUnsatisfiable = options.maxUnsatisfiable ?? MAX_UNSATISFIABLE;
  }

  /**
   * A variant of the version for a random seed, never handed out before. Rejects with the
   * sandbox's error (TEMPLATE_TIMEOUT, an expression error, …) when making one fails, and with
   * ConstraintError when `maxUnsatisfiable` seeds in a row could not meet the constraints.
   */
  async draw(v: LoadedVersion): Promise<Variant> {
    const entry = this.entry(v.versionId);
    for (;;) {
      const variant = entry.ready.pop();
      if (variant) {
        if (entry.ready.length < this.lowWater && !entry.refill) {
          // Refilled in the background; a failure is met again by the draw that finds the buffer empty.
          this.refill(v, entry).catch(() => {});
        }
        return variant;
      }
      if (entry.unsatisfiable >= this.maxUnsatisfiable) {
        entry.unsatisfiable = 0;
        throw new ConstraintError(`${this.maxUnsatisfiable} seeds in a row could not meet the constraints`, `${v.templateId} v${v.version}`);
      }
      entry.waiting++;
      try {
        await (entry.refill ?? this.refill(v, entry));
      } finally {
        entry.waiting--;
      }
    }
  }

  /** Versions buffered and variants ready in all (for tests and stats). */
  stats(): { versions: number; ready: number } {
    let ready = 0;
    for (const e of this.entries.values()) ready += e.ready.length;
    return { versions: this.entries.size, ready };
  }

  private entry(versionId: string): Entry {
    let e = this.entries.get(versionId);
    if (e) {
      // Most recently drawn last: the first key is the one dropped.
      this.entries.delete(versionId);
    } else {
      e = { ready: [], refill: undefined, unsatisfiable: 0, waiting: 0 };
      if (this.entries.size >= this.maxVersions) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(versionId, e);
    return e;
  }

  private refill(v: LoadedVersion, entry: Entry): Promise<void> {
    // A rush of draws (an exam starting) asks for more than a buffer's worth; the budget bounds the batch either way.
    const n = Math.min(4 * this.size, Math.max(this.size - entry.ready.length, entry.waiting + 1));
    const seeds = Array.from({ length: n }, () => randomInt(MAX_STORED_SEED));
    const p = this.sandbox()
      .instantiateMany(v.compiled.template, seeds, this.budgetMs, { key: v.compiled.hash, where: `${v.templateId} v${v.version}` })
      .then(
        (batch) => {
          entry.ready.push(...batch.variants);
          entry.unsatisfiable = batch.variants.length > 0 ? 0 : entry.unsatisfiable + batch.unsatisfiable;
        },
        (err: unknown) => {
          if (!(err instanceof ConstraintError)) throw err;
          entry.unsatisfiable += seeds.length;
        },
      )
      .finally(() => {
        entry.refill = undefined;
      });
    entry.refill = p;
    return p;
  }
}
