/** What students see of variants and submissions; nothing secret is in these shapes. */
import { z } from 'zod';

/** How close a numeric answer must be (number, vector and matrix parts; integers and choices are compared exactly). */
export const toleranceOut = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('relative'), rtol: z.number().describe('relative: 0.01 is 1 %'), atol: z.number().describe('absolute floor') }),
    z.object({ mode: z.literal('absolute'), atol: z.number() }),
    z.object({ mode: z.literal('sigfigs'), digits: z.number().int() }),
    z.object({ mode: z.literal('decimals'), places: z.number().int() }),
  ])
  .describe('accepted when |answer − exact| ≤ max(atol, rtol·|exact|) (relative), ≤ atol (absolute), or it rounds like the exact value (sigfigs, decimals)');

export const partOut = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(['number', 'integer', 'vector', 'matrix', 'choice']),
  points: z.number(),
  shape: z.array(z.number().int()).optional(),
  choices: z.array(z.string()).optional(),
  multiple: z.boolean().optional(),
  tolerance: toleranceOut.optional(),
  toleranceText: z.string().optional().describe('the tolerance in words, completing "Accepted …": "within 1 % of the exact value", "to 3 significant figures"'),
});

export const variantOut = z.object({
  id: z.string(),
  courseId: z.string(),
  templateId: z.string(),
  title: z.string(),
  prompt: z.string(),
  parts: z.array(partOut),
  createdAt: z.date(),
});

export const partResultOut = z.object({
  id: z.string(),
  status: z.enum(['correct', 'partial', 'incorrect', 'format-error', 'missing']),
  score: z.number(),
  points: z.number(),
  maxPoints: z.number(),
  feedback: z.string(),
  elements: z.array(z.boolean()).optional(),
  followThrough: z.boolean().optional(),
  hint: z.literal('insufficient-precision').optional(),
  /** The named mistake the answer matched (its feedback is `feedback`). */
  mistake: z.string().optional(),
});

const answerValue = z.union([z.number(), z.string(), z.array(z.unknown())]);

export const submissionOut = z.object({
  submissionId: z.string(),
  variantId: z.string(),
  score: z.number(),
  points: z.number(),
  maxPoints: z.number(),
  parts: z.array(partResultOut),
  correctAnswers: z.record(z.string(), answerValue),
  solution: z.string(),
  createdAt: z.date(),
});

const scalarAnswer = z.union([z.string().max(200), z.number()]);
/** A student's answer to one part: a number or text, a list, or a list of rows. Never code. */
export const answerIn = z.union([z.string().max(20_000), z.number(), z.array(z.union([scalarAnswer, z.array(scalarAnswer).max(100)])).max(100)]);

/** The most parts a question may be answered in at once. */
const MAX_PARTS = 20;

export const submissionIn = z.strictObject({
  answers: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be a part id'), answerIn)
    .refine((a) => Object.keys(a).length <= MAX_PARTS, `at most ${MAX_PARTS} parts`)
    .meta({ maxProperties: MAX_PARTS, description: `answers by part id, at most ${MAX_PARTS}` }),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1–200 characters of letters, digits, _ . : -')
    .optional(),
});
