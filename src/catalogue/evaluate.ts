/**
 * Running a template version's code: issuing a variant and grading an answer. A built-in
 * (reviewed, from problems/) runs in this thread; a course's own template, written by an
 * instructor over the API, runs only in the sandbox (worker threads with a deadline and
 * memory limits), so a template that loops or allocates cannot stall or crash the service.
 * Grading runs a template's code only for follow-through parts (recomputing an answer from the
 * student's earlier ones); a course template's grade without them is a comparison of numbers
 * with the stored answers, done here without the template.
 * Every issue and grade in the service goes through these two functions.
 */
import type { FastifyInstance } from 'fastify';
import { grade, instantiate, type GradeResult, type Variant } from '../engine/index.js';
import type { LoadedVersion } from './catalogue.js';

const where = (v: LoadedVersion) => `${v.templateId} v${v.version}`;

/** instantiate(version, seed), in the sandbox for a course's template. */
export function issueVariant(app: FastifyInstance, v: LoadedVersion, seed: number): Promise<Variant> {
  if (!v.untrusted) return Promise.resolve(instantiate(v.compiled, seed));
  return app.sandbox.instantiate(v.compiled.template, seed, { key: v.compiled.hash, where: where(v) });
}

/** grade(variant, answers, version), in the sandbox for a course's template. */
export function gradeVariant(app: FastifyInstance, v: LoadedVersion, variant: Variant, answers: Record<string, unknown>): Promise<GradeResult> {
  if (!v.untrusted) return Promise.resolve(grade(variant, answers, v.compiled));
  // Without follow-through, grading only compares the answers with the variant's stored ones
  // (no template code runs: grade() is not even given the template), so it stays here.
  if (!variant.secret.parts.some((p) => p.followThrough?.length)) return Promise.resolve(grade(variant, answers));
  return app.sandbox.grade(v.compiled.template, variant, answers, { key: v.compiled.hash, where: where(v) });
}
