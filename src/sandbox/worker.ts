/**
 * The sandbox worker: runs one task at a time for TemplateSandbox (src/sandbox/pool.ts) and
 * never throws — every error goes back as data (protocol.ts). Compiled templates are kept in a
 * small LRU keyed by content hash (or the caller's key), so a template issued a thousand times
 * is validated and compiled once per worker.
 *
 * The limits that make running an untrusted template safe are not here: the pool's deadline
 * terminates this thread, and its resourceLimits bound the heap and the stack. What this file
 * adds is naming the cause when a limit surfaces as an ordinary exception (a RangeError for
 * the stack or an allocation), so the caller gets TEMPLATE_TOO_DEEP or TEMPLATE_MEMORY rather
 * than an expression error that hides why.
 */
import { createHash } from 'node:crypto';
import { threadId, workerData } from 'node:worker_threads';
import {
  answersFromParams,
  canonicalJson,
  compileTemplate,
  ConstraintError,
  EngineError,
  grade,
  instantiate,
  TemplateError,
  type CompiledTemplate,
  type Variant,
} from '../engine/index.js';
import { selfTest, variantContent } from '../authoring/self-test.js';
import { validateTemplateSource } from '../authoring/validate.js';
import { SandboxError } from './errors.js';
import { serializeError, type Envelope, type InstantiateManyValue, type SandboxReply, type SelfTestBatch, type TemplateRef } from './protocol.js';

const loadMs = performance.now();

function cacheSize(): number {
  const n = (workerData as { cacheSize?: unknown } | undefined)?.cacheSize;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 256;
}
const MAX_CACHED = cacheSize();
/**
 * The engine keeps its own caches (compiled templates by hash, parsed expressions), capped by
 * count, not bytes; each new template grows this heap by ~150 KB. After this many compiles the
 * worker asks the pool to replace it, so the heap limit is never reached by caching alone.
 */
const RECYCLE_AFTER = (() => {
  const n = (workerData as { recycleAfterCompiles?: unknown } | undefined)?.recycleAfterCompiles;
  return typeof n === 'number' && n > 0 ? n : 500;
})();
let compiles = 0;
const cache = new Map<string, CompiledTemplate>();

function cached(key: string): CompiledTemplate | undefined {
  const ct = cache.get(key);
  if (ct) {
    // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
    cache.delete(key);
    cache.set(key, ct);
  }
  return ct;
}

/** The compiled template a task names, and the key it is now cached under; 'miss' when named by key alone and not cached. */
function compiledFor(ref: TemplateRef): { ct: CompiledTemplate; key?: string } | 'miss' {
  if (ref.key !== undefined) {
    const hit = cached(ref.key);
    if (hit) return { ct: hit };
    if (ref.content === undefined) return 'miss';
  }
  compiles++;
  const ct = compileTemplate(ref.content, ref.where);
  const key = ref.key ?? ct.hash;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, ct);
  return { ct, key };
}

const STACK = /Maximum call stack size exceeded/;
const ALLOCATION = /Invalid array length|Invalid typed array length|Invalid string length|Array buffer allocation failed|allocation failed/i;

/** A limit that surfaced as an exception becomes the SandboxError that names it; anything else is left alone. */
function classify(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof SandboxError) return err;
  // compileTemplate reports an expression's failure as a TemplateError whose issue names the field.
  const path = err instanceof TemplateError && !err.path ? (err.issues[0]?.path ?? '') : err instanceof EngineError ? err.path : '';
  const cause = err.message.length > 300 ? `${err.message.slice(0, 140)} … ${err.message.slice(-140)}` : err.message;
  if (STACK.test(err.message)) return new SandboxError('TEMPLATE_TOO_DEEP', `the computation nests too deeply for the sandbox's stack (${cause})`, path);
  if (ALLOCATION.test(err.message)) return new SandboxError('TEMPLATE_MEMORY', `the computation needs more memory than the sandbox allows (${cause})`, path);
  return err;
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 16);
}

function selfTestBatch(ct: CompiledTemplate, firstSeed: number, n: number): SelfTestBatch {
  const msPerVariant: number[] = [];
  let last = performance.now();
  const report = selfTest(ct, n, firstSeed, () => {
    const now = performance.now();
    msPerVariant.push(now - last);
    last = now;
  });
  // Batches may run on different workers, so distinct variants are counted by the pool
  // from these fingerprints (a batch's own count cannot be summed).
  const fingerprints = new Set<string>();
  for (let seed = firstSeed; seed < firstSeed + n; seed++) {
    try {
      fingerprints.add(fingerprint(variantContent(instantiate(ct, seed))));
    } catch {
      // selfTest counts only variants that instantiate; its failures already say why.
    }
  }
  return { report, fingerprints: [...fingerprints], msPerVariant };
}

/** Variants of `seeds` in order until `budgetMs` has passed (at least one attempt); see InstantiateManyValue. */
function instantiateMany(ct: CompiledTemplate, seeds: number[], budgetMs: number): InstantiateManyValue {
  const start = performance.now();
  const variants: Variant[] = [];
  let unsatisfiable = 0;
  let tried = 0;
  for (const seed of seeds) {
    if (tried > 0 && performance.now() - start >= budgetMs) break;
    tried++;
    try {
      variants.push(instantiate(ct, seed));
    } catch (err) {
      if (err instanceof ConstraintError) {
        unsatisfiable++;
        // Every seed unsatisfiable: the caller gets the error, as instantiate's caller would.
        if (unsatisfiable === seeds.length) throw err;
        continue;
      }
      if (variants.length === 0) throw err;
      break;
    }
  }
  return { variants, unsatisfiable, tried };
}

function run(envelope: Envelope): SandboxReply {
  const task = envelope.task;
  switch (task.kind) {
    case 'ping':
      return { ok: true, value: { threadId, loadMs, env: Object.keys(process.env) } };
    case 'validate':
      compiles++;
      return { ok: true, value: validateTemplateSource(task.source) };
    case 'instantiate':
    case 'instantiateMany':
    case 'answersFromParams':
    case 'grade':
    case 'selfTest': {
      const found = compiledFor(task.ref);
      if (found === 'miss') return { ok: false, miss: true };
      const { ct, key } = found;
      const value =
        task.kind === 'instantiate'
          ? instantiate(ct, task.seed)
          : task.kind === 'instantiateMany'
            ? instantiateMany(ct, task.seeds, task.budgetMs)
            : task.kind === 'answersFromParams'
              ? answersFromParams(ct, task.params, task.shown)
              : task.kind === 'grade'
                ? grade(task.variant, task.answers, ct)
                : selfTestBatch(ct, task.firstSeed, task.n);
      return key === undefined ? { ok: true, value } : { ok: true, value, key };
    }
  }
}

export default function handle(envelope: Envelope): SandboxReply {
  Atomics.store(envelope.started, 0, BigInt(Date.now()));
  try {
    const reply = run(envelope);
    if (reply.ok && compiles >= RECYCLE_AFTER) reply.recycle = true;
    return reply;
  } catch (err) {
    return { ok: false, error: serializeError(classify(err)) };
  }
}
