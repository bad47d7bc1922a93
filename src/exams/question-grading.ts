/** Grading an answer to an attempt question against its current (stored) variant. */
import type { FastifyInstance } from 'fastify';
import type { GradeResult } from '../engine/index.js';
import type { LoadedVersion } from '../catalogue/catalogue.js';
import { gradeVariant } from '../catalogue/evaluate.js';
import { engineVariant, type VariantRow } from '../practice/variants.js';

export interface QuestionVariant extends VariantRow {
  templateVersion: { id: string; templateId: string; hash: string; template: { title: string } };
}

export async function gradeAgainst(app: FastifyInstance, v: QuestionVariant, answers: Record<string, unknown>): Promise<GradeResult> {
  return gradeLoaded(app, await app.catalogue.version(v.templateVersion.id), v, answers);
}

/** gradeLoaded(app, version, v, answers): gradeAgainst with the variant's template version at hand. */
export function gradeLoaded(app: FastifyInstance, version: LoadedVersion, v: QuestionVariant, answers: Record<string, unknown>): Promise<GradeResult> {
  const tv = v.templateVersion;
  return gradeVariant(app, version, engineVariant(v, tv.templateId, tv.hash, tv.template.title), answers);
}

/** Points a try earns: its credit by the tries schedule times the part-weighted score. */
export function tryPoints(maxPoints: number, credit: number, score: number): number {
  // Rounded to 1e-9 so sums of stored floats compare equal to recomputed ones.
  return Math.round(maxPoints * credit * score * 1e9) / 1e9;
}
