/**
 * What crosses the thread boundary between TemplateSandbox and its workers: the tasks, the
 * replies, and errors as plain data. Errors are not thrown across it: structured clone keeps an
 * Error's message but drops its class and its own fields (code, path, issues), so the worker
 * sends `{ name, code, message, path, … }` and the pool rebuilds the same class from it.
 */
import {
  ConstraintError,
  EngineError,
  ExpressionError,
  TemplateError,
  type answersFromParams,
  type GradeResult,
  type ShownChoices,
  type Variant,
} from '../engine/index.js';
import type { ValidationResult } from '../authoring/validate.js';
import type { SelfTestReport } from '../authoring/self-test.js';
import { isSandboxErrorCode, SandboxError } from './errors.js';

/**
 * A template as a task names it: by `key` (a string the caller or the pool knows identifies the
 * content) once a worker has compiled it, else by its `content`; with both the first time.
 */
export interface TemplateRef {
  key?: string;
  content?: unknown;
  /** Prefix of error messages, as compileTemplate's `where`. */
  where?: string;
}

export type SandboxTask =
  | { kind: 'ping' }
  | { kind: 'validate'; source: string | object }
  | { kind: 'instantiate'; ref: TemplateRef; seed: number }
  /** Variants for as many of `seeds`, in order, as fit in `budgetMs` (at least one); see InstantiateManyValue. */
  | { kind: 'instantiateMany'; ref: TemplateRef; seeds: number[]; budgetMs: number }
  | { kind: 'grade'; ref: TemplateRef; variant: Variant; answers: Record<string, unknown> }
  /** answersFromParams: a (newer) version's answers, parts and solution for a stored variant's parameters. */
  | { kind: 'answersFromParams'; ref: TemplateRef; params: Record<string, unknown>; shown?: ShownChoices }
  | { kind: 'selfTest'; ref: TemplateRef; firstSeed: number; n: number };

/** One self-test batch: the report of its seeds, a fingerprint of each distinct variant (variantContent), and the time per seed. */
export interface SelfTestBatch {
  report: SelfTestReport;
  fingerprints: string[];
  msPerVariant: number[];
}

/**
 * instantiateMany's answer: the variants of the seeds it got to, and how many seeds it skipped
 * because their constraints could not be met (ConstraintError). Any other error of a seed ends
 * the batch: it is the task's error if no variant was made, else the batch stops before it.
 */
export interface InstantiateManyValue {
  variants: Variant[];
  unsatisfiable: number;
  /** Seeds tried (made, skipped or stopped at): the rest were not reached within the budget. */
  tried: number;
}

export interface SerializedError {
  name: string;
  code?: string;
  /** The message as the error's constructor was given it (without the `path: ` prefix). */
  message: string;
  path?: string;
  position?: number;
  issues?: { path: string; message: string }[];
  stack?: string;
}

/** ping's answer: the worker's thread id, how long loading the engine took it, and the names of the environment variables it sees. */
export interface PingValue {
  threadId: number;
  loadMs: number;
  env: string[];
}

export type Recomputed = ReturnType<typeof answersFromParams>;

export type TaskValue = PingValue | ValidationResult | Variant | GradeResult | SelfTestBatch | InstantiateManyValue | Recomputed;

export type SandboxReply =
  | {
      ok: true;
      value: TaskValue;
      /** The content hash, when the task compiled content it was sent. */
      key?: string;
      /** This worker has compiled enough templates that the engine's caches should be let go (the pool restarts its workers). */
      recycle?: true;
    }
  | { ok: false; error: SerializedError }
  /** The task named its template by key only, and this worker does not have it: send the content. */
  | { ok: false; miss: true };

/**
 * The envelope a task travels in: `started` is a shared slot the worker stamps (Date.now())
 * when it starts, so the pool's deadline counts the task's own time, not its wait in the queue.
 */
export interface Envelope {
  task: SandboxTask;
  /** [0]: Date.now() when a worker started the task; 0 while it waits in the queue. */
  started: BigInt64Array;
}

/** The message an EngineError's constructor was given: its message without the `path: ` prefix. */
function rawMessage(err: EngineError | SandboxError): string {
  const prefix = err.path ? `${err.path}: ` : '';
  return prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError || err instanceof SandboxError) {
    const out: SerializedError = { name: err.name, code: err.code, message: rawMessage(err), path: err.path, stack: err.stack };
    if (err instanceof ExpressionError && err.position !== undefined) out.position = err.position;
    if (err instanceof TemplateError) out.issues = err.issues;
    return out;
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** The error serializeError described, as the same class (engine errors, SandboxError), or a plain Error. */
export function rebuildError(e: SerializedError): Error {
  const path = e.path ?? '';
  let err: Error;
  switch (e.name) {
    case 'TemplateError':
      err = new TemplateError(e.message, path, e.issues ?? []);
      break;
    case 'ExpressionError':
      err = new ExpressionError(e.message, path, e.position);
      break;
    case 'ConstraintError':
      err = new ConstraintError(e.message, path);
      break;
    case 'SandboxError':
      err = new SandboxError(isSandboxErrorCode(e.code) ? e.code : 'SANDBOX_FAILED', e.message, path);
      break;
    case 'RangeError':
    case 'TypeError':
    case 'SyntaxError':
      err = new (e.name === 'RangeError' ? RangeError : e.name === 'TypeError' ? TypeError : SyntaxError)(e.message);
      break;
    default:
      if (e.code !== undefined && e.path !== undefined) {
        // Another EngineError (PART_UNKNOWN, TEMPLATE_REQUIRED, ANSWERS_INVALID, …): same code, path and name.
        err = new EngineError(e.code, e.message, path);
      } else {
        err = new Error(e.message);
      }
      err.name = e.name;
  }
  if (e.stack) err.stack = e.stack;
  return err;
}
