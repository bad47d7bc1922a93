/**
 * The one schema for problem templates, shared by YAML files and API bodies. Objects are
 * strict so a misspelt field (`tolerence:`) is an error naming it rather than silently ignored.
 */
import { z } from 'zod';

// `__proto__` matches the pattern, but as a key it sets an object's prototype instead of a
// value (a variant's answers would look right in memory and lose the answer when stored).
export const PROTO_NAME_MESSAGE = "'__proto__' cannot be a name: it would set an object's prototype instead of a value";
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be an identifier: a letter or _, then letters, digits or _ (at most 40)')
  .refine((s) => s !== '__proto__', PROTO_NAME_MESSAGE);
const kebab = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case: lowercase letters, digits and single dashes')
  .max(80);
const expression = z.string().min(1, 'must be a non-empty expression').max(1000, 'must be at most 1000 characters');

const intSpec = z
  .strictObject({
    type: z.literal('int'),
    min: z.number().int(),
    max: z.number().int(),
    step: z.number().int().positive().default(1),
    exclude: z.array(z.number()).max(100).optional(),
  })
  .refine((s) => s.min <= s.max, { message: 'min must not exceed max', path: ['max'] })
  .refine((s) => (s.max - s.min) / s.step <= 1e9, { message: 'range too large for its step', path: ['step'] });

const realSpec = z
  .strictObject({
    type: z.literal('real'),
    min: z.number(),
    max: z.number(),
    decimals: z.number().int().min(0).max(8).default(2),
    exclude: z.array(z.number()).max(100).optional(),
  })
  .refine((s) => s.min <= s.max, { message: 'min must not exceed max', path: ['max'] })
  .refine((s) => (s.max - s.min) * 10 ** s.decimals <= 1e12, { message: 'range too large for its decimals', path: ['decimals'] });

const choiceValue = z.union([z.number(), z.string().max(200), z.array(z.number()), z.array(z.array(z.number()))]);
const choiceSpec = z.strictObject({
  type: z.literal('choice'),
  values: z.array(choiceValue).min(1).max(1000),
});

export const scalarSpec = z.discriminatedUnion('type', [intSpec, realSpec, choiceSpec]);
const size = z.union([z.number().int().min(1).max(100), identifier]);

const vectorSpec = z.strictObject({
  type: z.literal('vector'),
  length: size,
  of: scalarSpec,
  distinct: z.boolean().default(false),
});
const matrixSpec = z.strictObject({
  type: z.literal('matrix'),
  rows: size,
  cols: size,
  of: scalarSpec,
  distinct: z.boolean().default(false),
});
const derivedSpec = z.strictObject({ type: z.literal('derived'), expr: expression });

export const paramSpec = z.discriminatedUnion('type', [intSpec, realSpec, choiceSpec, vectorSpec, matrixSpec, derivedSpec]);

const relative = z.strictObject({
  mode: z.literal('relative'),
  rtol: z.number().min(0).max(1).default(0.01),
  atol: z.number().min(0).default(1e-6),
});
const absolute = z.strictObject({ mode: z.literal('absolute'), atol: z.number().min(0) });
const sigfigs = z.strictObject({ mode: z.literal('sigfigs'), digits: z.number().int().min(1).max(15) });
const decimals = z.strictObject({ mode: z.literal('decimals'), places: z.number().int().min(0).max(15) });
export const toleranceSchema = z.discriminatedUnion('mode', [relative, absolute, sigfigs, decimals]);
export const DEFAULT_TOLERANCE = { mode: 'relative', rtol: 0.01, atol: 1e-6 } as const;

export const ANSWER_TYPES = ['number', 'integer', 'vector', 'matrix', 'choice'] as const;

/** A choice part shows at most this many options (a–z); a longer list is a pool to `pick` from. */
export const MAX_SHOWN_CHOICES = 26;
export const MAX_CHOICE_POOL = 100;

/**
 * A common wrong answer, named: its value is an expression over the parameters, the earlier
 * answers and this answer's own id (the conv size without its `+ 1` is `W2 - 1`); a student
 * answer that matches it (within the part's tolerance, and not the correct answer) gets the
 * feedback and `credit` (a fraction of the part's points), and statistics count it by id.
 * The feedback may interpolate parameters (`{{ F }}`), never answers: it is shown while tries remain.
 */
const mistakeSchema = z.strictObject({
  id: identifier,
  expr: expression,
  feedback: z.string().min(1).max(1000),
  credit: z.number().min(0).max(0.99).default(0),
});

const answerSchema = z
  .strictObject({
    id: identifier,
    label: z.string().min(1).max(500),
    type: z.enum(ANSWER_TYPES),
    expr: expression,
    points: z.number().positive().max(1000).default(1),
    tolerance: toleranceSchema.default(DEFAULT_TOLERANCE),
    partial: z.boolean().default(true),
    choices: z.array(z.string().min(1).max(200)).min(2).max(MAX_CHOICE_POOL).optional(),
    multiple: z.boolean().default(false),
    // Optional without a default, so that templates written before them keep their content hash.
    shuffle: z.boolean().optional(),
    pick: z.number().int().min(2, 'pick must show at least 2 choices').max(MAX_SHOWN_CHOICES, `pick can show at most ${MAX_SHOWN_CHOICES} choices`).optional(),
    followThrough: z.array(identifier).min(1).max(10).optional(),
    mistakes: z.array(mistakeSchema).min(1).max(10).optional(),
  })
  .superRefine((a, ctx) => {
    const ids = a.mistakes?.map((m) => m.id) ?? [];
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', message: `mistake id '${id}' is used twice`, path: ['mistakes', i, 'id'] });
    });
    if (a.type === 'choice' && !a.choices) {
      ctx.addIssue({ code: 'custom', message: 'a choice answer needs a list of choices', path: ['choices'] });
    }
    if (a.type !== 'choice' && (a.choices || a.multiple)) {
      ctx.addIssue({ code: 'custom', message: 'choices and multiple only apply to choice answers', path: ['choices'] });
    }
    if (a.choices && new Set(a.choices).size !== a.choices.length) {
      ctx.addIssue({ code: 'custom', message: 'choices must be distinct', path: ['choices'] });
    }
    for (const field of ['shuffle', 'pick'] as const) {
      if (a.type !== 'choice' && a[field] !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${field} only applies to choice answers`, path: [field] });
      }
    }
    if (a.type === 'choice' && a.choices) {
      if (a.pick !== undefined && a.pick > a.choices.length) {
        ctx.addIssue({ code: 'custom', message: `pick (${a.pick}) must not exceed the number of choices (${a.choices.length})`, path: ['pick'] });
      }
      if (a.pick === undefined && a.choices.length > MAX_SHOWN_CHOICES) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${MAX_SHOWN_CHOICES} choices are shown at once; with ${a.choices.length}, add pick: k to show k of them`,
          path: ['choices'],
        });
      }
    }
  });

const constraintSchema = z.union([expression, z.strictObject({ expr: expression, message: z.string().max(300).optional() })]);

export const templateSchema = z
  .strictObject({
    id: kebab,
    title: z.string().min(1).max(200),
    topic: kebab,
    tags: z.array(kebab).max(20).default([]),
    difficulty: z.number().int().min(1).max(5),
    params: z.record(identifier, paramSpec).refine((p) => Object.keys(p).length <= 60, 'at most 60 parameters'),
    constraints: z.array(constraintSchema).max(50).default([]),
    maxTries: z.number().int().min(1).max(10_000).default(200),
    prompt: z.string().min(1).max(20_000),
    answers: z.array(answerSchema).min(1).max(20),
    solution: z.string().max(50_000).default(''),
  })
  .superRefine((t, ctx) => {
    const seen = new Set(Object.keys(t.params));
    t.answers.forEach((a, i) => {
      if (seen.has(a.id)) {
        ctx.addIssue({ code: 'custom', message: `'${a.id}' is already a parameter or an earlier answer`, path: ['answers', i, 'id'] });
      }
      for (const [k, dep] of (a.followThrough ?? []).entries()) {
        if (!t.answers.slice(0, i).some((b) => b.id === dep)) {
          ctx.addIssue({ code: 'custom', message: `'${dep}' is not an earlier answer`, path: ['answers', i, 'followThrough', k] });
        }
      }
      seen.add(a.id);
    });
  });

/** A template as written (defaults not yet applied). */
export type TemplateInput = z.input<typeof templateSchema>;
/** A validated template with defaults applied. */
export type Template = z.output<typeof templateSchema>;
export type ParamSpec = z.output<typeof paramSpec>;
export type ScalarSpec = z.output<typeof scalarSpec>;
export type Tolerance = z.output<typeof toleranceSchema>;
export type AnswerSpec = Template['answers'][number];
export type AnswerType = (typeof ANSWER_TYPES)[number];
