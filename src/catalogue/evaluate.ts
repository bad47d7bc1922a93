/**
 * Running a template version's code: issuing a variant and grading an answer. A built-in
 * (reviewed, from problems/) runs in this thread; a course's own template, written by an
 * instructor over the API, runs only in the sandbox (worker threads with a deadline and
 * memory limits), so a template that loops or allocates cannot stall or crash the service.
 * Grading runs a template's code only for follow-through parts (recomputing an answer from the
 * student's earlier ones); a course template's grade without them is a comparison of numbers
 * with the stored answers, done here without the template.
 * Every issue and grade in the service goes through these functions.
 */
import type { FastifyInstance } from 'fastify';
import { randomInt } from 'node:crypto';
import { answersFromParams, ConstraintError, grade, instantiate, type GradeResult, type ShownChoices, type Variant } from '../engine/index.js';
import type { LoadedVersion } from './catalogue.js';

const where = (v: LoadedVersion) => `${v.templateId} v${v.version}`;

/** instantiate(version, seed), in the sandbox for a course's template. */
export function issueVariant(app: FastifyInstance, v: LoadedVersion, seed: number): Promise<Variant> {
  if (!v.untrusted) return Promise.resolve(instantiate(v.compiled, seed));
  return app.sandbox.instantiate(v.compiled.template, seed, { key: v.compiled.hash, where: where(v) });
}

/** Seeds are stored in an INT column: a fresh one is drawn in 0..MAX_STORED_SEED-1. */
export const MAX_STORED_SEED = 2 ** 31 - 1;

/** Seeds tried for a fresh variant before its template counts as unsatisfiable (ConstraintError). */
export const MAX_UNSATISFIABLE = 5;

/**
 * A variant of the version for a fresh random seed (a seed whose constraints
 * cannot be met is replaced, up to MAX_UNSATISFIABLE times, then ConstraintError). A course
 * template's comes from app.variantBuffer: drawn ahead in the sandbox, in batches.
 */
export async function drawVariant(app: FastifyInstance, v: LoadedVersion): Promise<Variant> {
  if (v.untrusted) return app.variantBuffer.draw(v);
  for (let i = 1; ; i++) {
    try {
      return instantiate(v.compiled, randomInt(MAX_STORED_SEED));
    } catch (err) {
      if (!(err instanceof ConstraintError) || i >= MAX_UNSATISFIABLE) throw err;
    }
  }
}

/** grade(variant, answers, version), in the sandbox for a course's template. */
export function gradeVariant(app: FastifyInstance, v: LoadedVersion, variant: Variant, answers: Record<string, unknown>): Promise<GradeResult> {
  if (!v.untrusted) return Promise.resolve(grade(variant, answers, v.compiled));
  // Without follow-through, grading only compares the answers with the variant's stored ones
  // (no template code runs: grade() is not even given the template), so it stays here.
  if (!variant.secret.parts.some((p) => p.followThrough?.length)) return Promise.resolve(grade(variant, answers));
  return app.sandbox.grade(v.compiled.template, variant, answers, { key: v.compiled.hash, where: where(v) });
}

/** answersFromParams(version, params, shown) (a regrade onto this version), in the sandbox for a course's template. */
export function recomputeAnswers(
  app: FastifyInstance,
  v: LoadedVersion,
  params: Record<string, unknown>,
  shown?: ShownChoices,
): Promise<ReturnType<typeof answersFromParams>> {
  if (!v.untrusted) return Promise.resolve(answersFromParams(v.compiled, params, shown));
  return app.sandbox.answersFromParams(v.compiled.template, params, shown, { key: v.compiled.hash, where: where(v) });
}
