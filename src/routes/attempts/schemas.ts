/** What students see of attempts; optional fields appear only when the policy releases them. */
import { z } from 'zod';
import { partOut, partResultOut } from '../practice/schemas.js';

const answerValue = z.union([z.number(), z.string(), z.array(z.unknown())]);

export const questionOut = z.object({
  position: z.number().int(),
  sectionIndex: z.number().int(),
  templateId: z.string(),
  title: z.string(),
  prompt: z.string(),
  parts: z.array(partOut),
  maxPoints: z.number(),
  triesUsed: z.number().int(),
  triesLeft: z.number().int(),
  savedAnswers: z.record(z.string(), z.unknown()).nullable(),
  savedAt: z.date().nullable(),
  earned: z.number().optional(),
  lastTry: z
    .object({ tryNumber: z.number().int(), score: z.number(), parts: z.array(partResultOut) })
    .nullable()
    .optional(),
  correctAnswers: z.record(z.string(), answerValue).optional(),
  solution: z.string().optional(),
});

export const attemptOut = z.object({
  id: z.string(),
  examId: z.string(),
  examTitle: z.string(),
  number: z.number().int(),
  status: z.enum(['OPEN', 'FINISHED']),
  startedAt: z.date(),
  deadline: z.date().nullable(),
  finishedAt: z.date().nullable(),
  maxPoints: z.number(),
  points: z.number().optional(),
  questions: z.array(questionOut),
});

export const tryOut = z.object({
  submissionId: z.string(),
  position: z.number().int(),
  tryNumber: z.number().int(),
  score: z.number(),
  points: z.number(),
  earned: z.number(),
  maxPoints: z.number(),
  triesLeft: z.number().int(),
  parts: z.array(partResultOut),
  newVariant: z.boolean(),
  correctAnswers: z.record(z.string(), answerValue).optional(),
  solution: z.string().optional(),
});
