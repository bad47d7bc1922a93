/**
 * An exam blueprint: sections that draw problems from pools, and the exam's policies. Stored as
 * JSON on the Exam row; this schema validates API bodies and is the type the code reads.
 */
import { z } from 'zod';

const templateId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a template id')
  .max(80);

export const poolSchema = z
  .strictObject({
    /** Explicit template ids. */
    templates: z.array(templateId).min(1).max(500).optional(),
    /** Or a filter over the catalogue. */
    topic: z.string().min(1).max(80).optional(),
    tags: z.array(z.string().min(1).max(80)).min(1).max(20).optional(),
    difficulty: z.array(z.number().int().min(1).max(5)).min(1).max(5).optional(),
    /** Groups of template ids to stratify draws across (their union is the pool). */
    groups: z.array(z.array(templateId).min(1).max(200)).min(2).max(50).optional(),
  })
  .refine((p) => p.templates || p.topic || p.tags || p.difficulty || p.groups, { message: 'a pool needs templates, groups, or a topic/tags/difficulty filter' })
  .refine((p) => !(p.groups && p.templates), { message: 'give either templates or groups, not both' })
  // Mixing the two would leave open whether the filter narrows the list or adds to it.
  .refine((p) => !((p.templates || p.groups) && (p.topic || p.tags || p.difficulty)), {
    message: 'give explicit templates/groups or a topic/tags/difficulty filter, not both',
  });

export const sectionSchema = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  /** Problems drawn from the pool for each attempt (never the same template twice). */
  count: z.number().int().min(1).max(50),
  /** Points of each problem in this section. */
  points: z.number().positive().max(1000),
  pool: poolSchema,
});

export const RELEASE = ['immediately', 'after-attempt', 'after-close', 'never'] as const;
export const SCORE_POLICY = ['best', 'latest', 'average'] as const;
export const PRACTICE_LOCK = ['off', 'templates', 'topics'] as const;

/**
 * An ISO date-time with an offset (or a Date), as a Date. Plain z.coerce.date() would turn
 * `null`, `0` or `true` into 1970 — a "no close date" sent as null would close the exam.
 */
const dateTime = z.union([z.date(), z.iso.datetime({ offset: true, message: 'must be an ISO date-time with an offset' })]).pipe(z.coerce.date());

export const policiesSchema = z
  .strictObject({
    opensAt: dateTime.optional(),
    closesAt: dateTime.optional(),
    timeLimitMinutes: z.number().int().min(1).max(10_080).optional(),
    maxAttempts: z.number().int().min(1).max(100).default(1),
    triesPerQuestion: z.number().int().min(1).max(20).default(1),
    /** Credit per try, relative to the first (e.g. [10, 7, 5]: 100%, 70%, 50%); the last value repeats. */
    triesSchedule: z.array(z.number().positive()).min(1).max(20).optional(),
    /** A wrong try may come back with a fresh variant. */
    newVariantOnRetry: z.boolean().default(false),
    /** Grade each question when submitted (counts a try); otherwise grade saved answers at finish. */
    gradeDuringAttempt: z.boolean().default(true),
    /** When correct answers and solutions are shown. */
    release: z.enum(RELEASE).default('after-attempt'),
    shuffle: z.boolean().default(false),
    scorePolicy: z.enum(SCORE_POLICY).default('best'),
    /** While the exam is open, the course's students cannot practise its templates ('templates') or their topics ('topics'). */
    practiceLock: z.enum(PRACTICE_LOCK).default('off'),
  })
  .refine((p) => !p.opensAt || !p.closesAt || p.opensAt < p.closesAt, { message: 'opensAt must be before closesAt', path: ['closesAt'] })
  .refine((p) => !p.triesSchedule || p.triesSchedule.every((v, i, a) => i === 0 || v <= a[i - 1]), {
    message: 'a tries schedule must not increase',
    path: ['triesSchedule'],
  });

export const blueprintSchema = z.strictObject({
  sections: z.array(sectionSchema).min(1).max(20),
  policies: policiesSchema.default({
    maxAttempts: 1,
    triesPerQuestion: 1,
    newVariantOnRetry: false,
    gradeDuringAttempt: true,
    release: 'after-attempt',
    shuffle: false,
    scorePolicy: 'best',
    practiceLock: 'off',
  }),
});

export type Pool = z.output<typeof poolSchema>;
export type Section = z.output<typeof sectionSchema>;
export type Policies = z.output<typeof policiesSchema>;
export type Blueprint = z.output<typeof blueprintSchema>;

/** blueprintMaxPoints(b): the points an attempt can earn, Σ count × points over the sections (before any regrade changes a question's points). */
export function blueprintMaxPoints(b: Blueprint): number {
  return Math.round(b.sections.reduce((sum, s) => sum + s.count * s.points, 0) * 1e9) / 1e9;
}

/** The fraction of a question's points a correct answer earns on try `n` (1-based). */
export function tryCredit(p: Policies, n: number): number {
  const s = p.triesSchedule;
  if (!s) return 1;
  const v = s[Math.min(n, s.length) - 1];
  return v / s[0];
}

/** Blueprint JSON for storage (dates as ISO strings). */
export function blueprintToJson(b: Blueprint): unknown {
  return JSON.parse(JSON.stringify(b));
}

/** A stored blueprint back to its typed form. */
export function blueprintFromJson(v: unknown): Blueprint {
  return blueprintSchema.parse(v);
}

// Blueprints are read on every attempt request; a stored blueprint's text parses to the same
// value every time, so parsed blueprints are kept by their text (a bounded cache).
const parsedByText = new Map<string, Blueprint>();
const PARSED_MAX = 256;

/** blueprintFromText(jsonText): blueprintFromJson of a stored blueprint read as text, cached. */
export function blueprintFromText(text: string): Blueprint {
  let b = parsedByText.get(text);
  if (!b) {
    b = deepFreeze(blueprintFromJson(JSON.parse(text)));
    if (parsedByText.size >= PARSED_MAX) parsedByText.clear();
    parsedByText.set(text, b);
  }
  return b;
}

/** Shared between requests, so nobody may change it. */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
