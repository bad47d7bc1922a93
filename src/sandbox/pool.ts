/**
 * TemplateSandbox: the worker pool (piscina) in which untrusted templates are validated,
 * previewed, self-tested, instantiated and graded. Create one per app and close() it on
 * shutdown.
 *
 * What it guarantees:
 * - Time: every task has a deadline, counted from when a worker starts it (time queued is
 *   bounded separately). Past it the worker is terminated — the only way to stop a synchronous
 *   loop — and the caller gets TEMPLATE_TIMEOUT; piscina starts a replacement.
 * - Memory and stack: workers run with V8 resourceLimits. A worker that exhausts its heap dies
 *   and the caller gets TEMPLATE_MEMORY; a stack overflow or failed allocation that surfaces as
 *   an exception is TEMPLATE_TOO_DEEP / TEMPLATE_MEMORY.
 * - Same errors as in-process: engine errors (TemplateError, ExpressionError, ConstraintError,
 *   EngineError) are rebuilt as the same classes with the same code, message, path, position and
 *   issues.
 *
 * Per-call cost is kept low by not resending templates: a content object's hash is remembered
 * (WeakMap) after a worker has compiled it, and later tasks name it by that key alone; a worker
 * that does not have it answers "miss" and gets the content. Callers holding a stable identifier
 * of the content (a template version's stored hash) pass it as `key` for the same effect across
 * requests. Content objects are treated as immutable once passed.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { EngineError, type GradeResult, type ShownChoices, type Variant } from '../engine/index.js';
import type { SelfTestReport } from '../authoring/self-test.js';
import { measureValue, VALIDATE_LIMITS, type ValidationResult } from '../authoring/validate.js';
import { SandboxError } from './errors.js';
import {
  rebuildError,
  type Envelope,
  type InstantiateManyValue,
  type PingValue,
  type Recomputed,
  type SandboxReply,
  type SandboxTask,
  type SelfTestBatch,
  type TaskValue,
  type TemplateRef,
} from './protocol.js';

export interface SandboxLimits {
  /** V8 old-generation heap per worker. */
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
  /** Stack per worker thread. */
  stackSizeMb: number;
}

/** Milliseconds. `selfTest` is per batch of `selfTestBatch` seeds; `queue` bounds the wait for a free worker. */
export interface SandboxTimeouts {
  validate: number;
  preview: number;
  selfTest: number;
  instantiate: number;
  grade: number;
  queue: number;
}

export interface SandboxOptions {
  /** Workers kept alive when idle (default 1). */
  minThreads?: number;
  /** Default: the number of cores (os.availableParallelism()). */
  maxThreads?: number;
  /** How long an idle worker beyond minThreads lives (default 30 s): starting one costs ~0.5 s. */
  idleTimeoutMs?: number;
  /** Tasks waiting for a worker beyond this are refused with SANDBOX_BUSY (default 1000). */
  maxQueue?: number;
  timeouts?: Partial<SandboxTimeouts>;
  limits?: Partial<SandboxLimits>;
  /** Compiled templates each worker keeps (default 256). */
  cacheSize?: number;
  /** Seeds per self-test task (default 25); progress is reported per batch. */
  selfTestBatch?: number;
  /** Distinct templates a worker compiles before the pool replaces its workers (default 500); see worker.ts. */
  recycleAfterCompiles?: number;
  /** Called with errors of workers that no task was waiting for (a worker crashing between tasks); for the app's log. */
  onWorkerError?: (err: Error) => void;
}

export interface CallOptions {
  /** Aborting it rejects the call with the signal's reason (and terminates the worker if the task is running). */
  signal?: AbortSignal;
  /** This call's deadline in ms, instead of the default for its task. */
  timeoutMs?: number;
  /** How long this call may wait for a free worker (ms), instead of `timeouts.queue`. */
  queueTimeoutMs?: number;
  /**
   * A string that identifies this content for as long as the process lives (a template
   * version's stored hash or id), so the content need not be sent or validated again.
   * Different content must never share a key.
   */
  key?: string;
  /** Prefix of error messages naming the template (`svm-loss v3`), as compileTemplate's `where`. */
  where?: string;
}

export interface SandboxSelfTestReport extends SelfTestReport {
  /** Milliseconds per variant (instantiate twice, grade three times, as self-test checks it). */
  timings: { p50Ms: number; maxMs: number; totalMs: number };
}

export const DEFAULT_TIMEOUTS: SandboxTimeouts = { validate: 10_000, preview: 2_000, selfTest: 15_000, instantiate: 2_000, grade: 2_000, queue: 10_000 };

/**
 * Chosen from measurements (live heap after GC): the engine loaded is ~50 MB (mathjs ~32 MB of
 * it), each compiled template ~150 KB (the catalogue's 56 add 8 MB). 256 MB holds the 500
 * templates a worker compiles before it is recycled with room to spare for the work itself,
 * while a 10⁴×10⁴ matrix (800 MB) still fails within the 2 s deadline. 4 MB of stack is
 * Node's default for workers and ample for 40 levels of expression nesting.
 */
export const DEFAULT_LIMITS: SandboxLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

/** Answers a student sends are at most a matrix: nesting beyond this is refused before it is cloned. */
const MAX_ANSWER_DEPTH = 8;
/** Nodes and characters of template content sent to a worker (structured clone copies all of it). */
const MAX_CONTENT_NODES = 200_000;

const WORKER_ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

/** The parent's Node flags minus tsx's loader (`--require …/tsx/…`, `--import …/tsx/…`): the worker entry registers tsx itself. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const tsx = /[\\/]tsx[\\/]/;
    if ((a === '--require' || a === '-r' || a === '--import' || a === '--loader') && tsx.test(argv[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (/^--(require|import|loader)=/.test(a) && tsx.test(a)) continue;
    out.push(a);
  }
  return out;
}

/** The only variables a worker sees: what Node and tsx read (temporary directory, NODE_ENV). */
function workerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['NODE_ENV', 'TMPDIR', 'TMP', 'TEMP']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

function isObject(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

type Why = 'timeout' | 'busy' | 'caller';

export class TemplateSandbox {
  readonly timeouts: SandboxTimeouts;
  readonly limits: SandboxLimits;
  private pool: Piscina<Envelope, SandboxReply>;
  private readonly poolOptions: ConstructorParameters<typeof Piscina>[0];
  private recycling: Promise<void> | undefined;
  private recycled = 0;
  private readonly keys = new WeakMap<object, string>();
  private readonly batch: number;
  private readonly onWorkerError: ((err: Error) => void) | undefined;
  private closed = false;

  constructor(options: SandboxOptions = {}) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.batch = options.selfTestBatch ?? 25;
    this.onWorkerError = options.onWorkerError;
    const maxThreads = options.maxThreads ?? availableParallelism();
    this.poolOptions = {
      filename: WORKER_ENTRY,
      minThreads: Math.min(options.minThreads ?? 1, maxThreads),
      maxThreads,
      idleTimeout: options.idleTimeoutMs ?? 30_000,
      maxQueue: options.maxQueue ?? 1000,
      resourceLimits: this.limits,
      execArgv: workerExecArgv(),
      // Not the server's environment: a template that found a way out of the expression
      // language would find no database URL or secret there.
      env: workerEnv(),
      workerData: { cacheSize: options.cacheSize ?? 256, recycleAfterCompiles: options.recycleAfterCompiles ?? 500 },
      // Tasks are synchronous and bounded by their deadline; close() need not wait long.
      closeTimeout: 1000,
    };
    this.pool = this.createPool();
  }

  private createPool(): Piscina<Envelope, SandboxReply> {
    const pool = new Piscina<Envelope, SandboxReply>(this.poolOptions);
    // A worker that dies between tasks (it should not) is replaced by piscina; without a
    // listener its 'error' event would be an uncaught exception in the app.
    pool.on('error', (err: Error) => this.onWorkerError?.(err));
    return pool;
  }

  /**
   * Replaces every worker, once a worker said its caches have grown enough (worker.ts): a new
   * pool is started and takes new tasks as soon as one of its workers has loaded; the old one
   * finishes what it has and closes.
   */
  private recycle(): void {
    if (this.recycling || this.closed) return;
    this.recycling = (async () => {
      const next = this.createPool();
      try {
        await next.run({ task: { kind: 'ping' }, started: new BigInt64Array(new SharedArrayBuffer(8)) });
      } catch {
        await next.destroy();
        return;
      }
      if (this.closed) {
        await next.destroy();
        return;
      }
      const old = this.pool;
      this.pool = next;
      this.recycled++;
      await old.close().catch(() => old.destroy());
    })().finally(() => {
      this.recycling = undefined;
    });
  }

  /** Waits until a worker has loaded the engine; returns its thread id and load time. Useful before measuring. */
  async ping(options: CallOptions = {}): Promise<PingValue> {
    return (await this.run({ kind: 'ping' }, options.timeoutMs ?? this.timeouts.validate, options)) as PingValue;
  }

  /** Every problem of a template (YAML text or a parsed object), with paths and YAML lines; see validateTemplateSource. */
  async validate(source: string | object, options: CallOptions = {}): Promise<ValidationResult> {
    const size = typeof source === 'string' ? { chars: source.length } : measureValue(source, VALIDATE_LIMITS.maxDepth);
    // Refused here rather than in the worker: a huge string costs a copy, a deep object a stack overflow while cloning.
    if ('deepAt' in size && size.deepAt) {
      return {
        ok: false,
        errors: [{ path: size.deepAt, code: 'TOO_DEEP', message: `the template nests deeper than ${VALIDATE_LIMITS.maxDepth} levels` }],
        warnings: [],
      };
    }
    if (size.chars > VALIDATE_LIMITS.maxSourceLength) {
      return {
        ok: false,
        errors: [{ path: [], code: 'TOO_LARGE', message: `the template has ${size.chars} characters; at most ${VALIDATE_LIMITS.maxSourceLength}` }],
        warnings: [],
      };
    }
    return (await this.run({ kind: 'validate', source }, options.timeoutMs ?? this.timeouts.validate, options)) as ValidationResult;
  }

  /** The variant for `seed`, as an author previews it (instantiate's result, under the preview deadline). */
  async preview(content: unknown, seed: number, options: CallOptions = {}): Promise<Variant> {
    return (await this.withTemplate(content, options, (ref) => ({ kind: 'instantiate', ref, seed }), this.timeouts.preview)) as Variant;
  }

  /** instantiate(compileTemplate(content), seed), in a worker. */
  async instantiate(content: unknown, seed: number, options: CallOptions = {}): Promise<Variant> {
    return (await this.withTemplate(content, options, (ref) => ({ kind: 'instantiate', ref, seed }), this.timeouts.instantiate)) as Variant;
  }

  /**
   * Variants of `seeds` in one task, as many as the worker makes within `budgetMs` (at least
   * one): issuing many variants of one template costs one round trip (see InstantiateManyValue).
   * The deadline is instantiate's, for the whole task.
   */
  async instantiateMany(content: unknown, seeds: number[], budgetMs: number, options: CallOptions = {}): Promise<InstantiateManyValue> {
    if (seeds.length === 0) return { variants: [], unsatisfiable: 0, tried: 0 };
    return (await this.withTemplate(
      content,
      options,
      (ref) => ({ kind: 'instantiateMany', ref, seeds, budgetMs }),
      this.timeouts.instantiate,
    )) as InstantiateManyValue;
  }

  /** answersFromParams(compileTemplate(content), params, shown), in a worker: what a regrade onto this version recomputes. */
  async answersFromParams(content: unknown, params: Record<string, unknown>, shown?: ShownChoices, options: CallOptions = {}): Promise<Recomputed> {
    if (measureValue(params, MAX_ANSWER_DEPTH).deepAt) throw new EngineError('ANSWERS_INVALID', `parameters nest deeper than ${MAX_ANSWER_DEPTH} levels`);
    return (await this.withTemplate(content, options, (ref) => ({ kind: 'answersFromParams', ref, params, shown }), this.timeouts.grade)) as Recomputed;
  }

  /** grade(variant, answers, compileTemplate(content)), in a worker. */
  async grade(content: unknown, variant: Variant, answers: Record<string, unknown>, options: CallOptions = {}): Promise<GradeResult> {
    if (measureValue(answers, MAX_ANSWER_DEPTH).deepAt) throw new EngineError('ANSWERS_INVALID', `answers nest deeper than ${MAX_ANSWER_DEPTH} levels`);
    return (await this.withTemplate(content, options, (ref) => ({ kind: 'grade', ref, variant, answers }), this.timeouts.grade)) as GradeResult;
  }

  /**
   * selfTest(compileTemplate(content), n, firstSeed) in batches of `selfTestBatch` seeds, one
   * batch at a time (so a long self-test leaves the other workers to grading); onProgress(done,
   * total) after each. The deadline applies to each batch.
   */
  async selfTest(
    content: unknown,
    n: number,
    firstSeed = 1,
    onProgress?: (done: number, total: number) => void,
    options: CallOptions = {},
  ): Promise<SandboxSelfTestReport> {
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new RangeError(`n must be an integer in 1..100000, got ${n}`);
    const failures: SelfTestReport['failures'] = [];
    const distinct = new Set<string>();
    const times: number[] = [];
    let id = '';
    for (let first = firstSeed; first < firstSeed + n; first += this.batch) {
      const k = Math.min(this.batch, firstSeed + n - first);
      const b = (await this.withTemplate(
        content,
        options,
        (ref) => ({ kind: 'selfTest', ref, firstSeed: first, n: k }),
        this.timeouts.selfTest,
      )) as SelfTestBatch;
      id = b.report.id;
      failures.push(...b.report.failures);
      for (const f of b.fingerprints) distinct.add(f);
      times.push(...b.msPerVariant);
      onProgress?.(first + k - firstSeed, n);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const total = times.reduce((s, t) => s + t, 0);
    return {
      id,
      variants: n,
      distinct: distinct.size,
      failures,
      timings: { p50Ms: round(percentile(sorted, 0.5)), maxMs: round(sorted.at(-1) ?? 0), totalMs: round(total) },
    };
  }

  /** Workers alive (thread ids), tasks waiting, tasks done (by the current set of workers), and how often the workers were recycled. */
  stats(): { threads: number[]; queued: number; completed: number; recycled: number } {
    return { threads: this.pool.threads.map((w) => w.threadId), queued: this.pool.queueSize, completed: this.pool.completed, recycled: this.recycled };
  }

  /** Terminates every worker; calls in flight and later ones fail with SHUTTING_DOWN. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.destroy(), this.recycling]);
  }

  /** Runs a task that names a template: by key when one is known, then (on a miss, or without a key) with its content. */
  private async withTemplate(content: unknown, options: CallOptions, make: (ref: TemplateRef) => SandboxTask, defaultMs: number): Promise<TaskValue> {
    const ms = options.timeoutMs ?? defaultMs;
    const known = options.key ?? (isObject(content) ? this.keys.get(content) : undefined);
    if (known !== undefined) {
      const reply = await this.run(make({ key: known, where: options.where }), ms, options, true);
      if (reply !== 'miss') return reply;
    }
    this.checkContent(content);
    const task = make({ key: options.key, content, where: options.where });
    return this.run(task, ms, options, false, (hash) => {
      if (options.key === undefined && isObject(content)) this.keys.set(content, hash);
    });
  }

  /** Content that cannot be cloned safely (too deep for the serializer's recursion) or cheaply is refused before it is sent. */
  private checkContent(content: unknown): void {
    const size = measureValue(content, VALIDATE_LIMITS.maxDepth);
    if (size.deepAt) throw new SandboxError('TEMPLATE_TOO_DEEP', `the template nests deeper than ${VALIDATE_LIMITS.maxDepth} levels`, size.deepAt.join('.'));
    if (size.nodes > MAX_CONTENT_NODES || size.chars > 4 * VALIDATE_LIMITS.maxSourceLength) {
      throw new SandboxError(
        'TEMPLATE_TOO_LARGE',
        `the template has ${size.nodes} values and ${size.chars} characters; at most ${MAX_CONTENT_NODES} and ${4 * VALIDATE_LIMITS.maxSourceLength}`,
      );
    }
  }

  private run(task: SandboxTask, ms: number, options: CallOptions): Promise<TaskValue>;
  private run(task: SandboxTask, ms: number, options: CallOptions, missOk: true): Promise<TaskValue | 'miss'>;
  private run(task: SandboxTask, ms: number, options: CallOptions, missOk: false, onKey: (key: string) => void): Promise<TaskValue>;
  private async run(task: SandboxTask, ms: number, options: CallOptions, missOk = false, onKey?: (key: string) => void): Promise<TaskValue | 'miss'> {
    if (this.closed) throw new SandboxError('SHUTTING_DOWN', 'the template sandbox is closed');
    const { signal } = options;
    const queueMs = options.queueTimeoutMs ?? this.timeouts.queue;
    signal?.throwIfAborted();
    const started = new BigInt64Array(new SharedArrayBuffer(8));
    const controller = new AbortController();
    let why: Why | undefined;
    const queuedAt = Date.now();
    // The deadline counts from the worker's start stamp; while queued, the timer re-arms until
    // the queue wait itself runs out.
    const check = (): void => {
      const now = Date.now();
      const at = Number(Atomics.load(started, 0));
      const left = at === 0 ? queueMs - (now - queuedAt) : at + ms - now;
      if (left <= 0) {
        why = at === 0 ? 'busy' : 'timeout';
        controller.abort();
      } else timer = setTimeout(check, at === 0 ? Math.min(left, ms) : left);
    };
    let timer = setTimeout(check, Math.min(ms, queueMs));
    const onAbort = (): void => {
      why = 'caller';
      controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let reply: SandboxReply;
    try {
      reply = await this.pool.run({ task, started }, { signal: controller.signal });
    } catch (err) {
      if (why === 'caller') throw signal?.reason ?? err;
      throw this.failure(err, why, task, ms, queueMs);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (reply.ok) {
      if (reply.key !== undefined) onKey?.(reply.key);
      if (reply.recycle) this.recycle();
      return reply.value;
    }
    if ('miss' in reply) {
      if (missOk) return 'miss';
      throw new SandboxError('SANDBOX_FAILED', 'the worker did not find a template it was sent');
    }
    throw rebuildError(reply.error);
  }

  /** What a task that did not come back means for the caller. */
  private failure(err: unknown, why: Why | undefined, task: SandboxTask, ms: number, queueMs: number): Error {
    const what =
      task.kind === 'selfTest'
        ? `self-test of seeds ${task.firstSeed}..${task.firstSeed + task.n - 1}`
        : task.kind === 'instantiate'
          ? `instantiating seed ${task.seed}`
          : task.kind === 'instantiateMany'
            ? `instantiating ${task.seeds.length} seeds`
            : task.kind;
    if (why === 'timeout') return new SandboxError('TEMPLATE_TIMEOUT', `${what} took longer than ${ms} ms (a loop, or far too much work); it was stopped`);
    if (why === 'busy') return new SandboxError('SANDBOX_BUSY', `no sandbox worker became free within ${queueMs} ms`);
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new SandboxError('TEMPLATE_MEMORY', `${what} needed more than the sandbox's ${this.limits.maxOldGenerationSizeMb} MB of memory; it was stopped`);
    }
    if (this.closed) return new SandboxError('SHUTTING_DOWN', 'the template sandbox was closed while the task ran');
    if (/queue is at limit/i.test(message))
      return new SandboxError('SANDBOX_BUSY', `more than ${this.pool.options.maxQueue} tasks are waiting for the sandbox`);
    // A server fault: the message stays generic (5xx details are logged, not returned); the cause has the detail.
    const failed = new SandboxError('SANDBOX_FAILED', `${what} failed in the sandbox`);
    failed.cause = err;
    return failed;
  }
}
