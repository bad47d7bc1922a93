/**
 * The SQL of item statistics. An item is one question of a finished attempt (its points are
 * the override when there is one, else what grading earned); the statements below aggregate
 * items, their submissions, format errors and variants in the database and return one row per
 * group, never the items themselves. Every statement begins with the same `items` CTE, scoped
 * to an exam or to one template across a course's exams.
 */
import { Prisma } from '../generated/prisma/client.js';

export type ItemScope = { examId: string } | { courseId: string; templateId: string };

/** Buckets of the score histograms: [0, 10 %), [10 %, 20 %), …, [90 %, 100 %]. */
export const HISTOGRAM_BUCKETS = 10;
/** A parameter with more distinct values than this is grouped into PARAM_BUCKETS equal-width ranges. */
export const MAX_PARAM_VALUES = 12;
export const PARAM_BUCKETS = 5;
/** Wrong answers listed per part. */
export const TOP_WRONG = 5;

function items(scope: ItemScope): Prisma.Sql {
  const where =
    'examId' in scope
      ? Prisma.sql`a."examId" = ${scope.examId}::uuid`
      : Prisma.sql`a."examId" IN (SELECT e.id FROM "Exam" e WHERE e."courseId" = ${scope.courseId}::uuid) AND q."templateId" = ${scope.templateId}`;
  return Prisma.sql`items AS (
    SELECT q.id AS qid, q."attemptId" AS aid, q."templateId" AS tid, q."maxPoints"::float8 AS mx,
           COALESCE(q."overridePoints", q.earned)::float8 AS pts, a."startedAt" AS started
    FROM "Attempt" a JOIN "AttemptQuestion" q ON q."attemptId" = a.id
    WHERE a.status = 'FINISHED' AND q."maxPoints" > 0 AND ${where}
  )`;
}

export interface TemplateRow {
  templateId: string;
  /** The template's title (null for an id no longer stored). */
  title: string | null;
  items: number;
  answered: number;
  mean: number;
  median: number;
  discrimination: number | null;
  meanSeconds: number | null;
  submissions: number;
  formatErrors: number;
}

/**
 * Per template: items, mean and median score (fractions), discrimination (the correlation of
 * the item's points with the rest of its attempt's points, the item excluded), the mean
 * seconds from the attempt's previous submission (or its start) to the item's first try,
 * submissions (all tries) and format errors.
 */
export function templateSummary(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)},
  totals AS (
    SELECT q."attemptId" AS aid, sum(COALESCE(q."overridePoints", q.earned))::float8 AS tp
    FROM "AttemptQuestion" q WHERE q."attemptId" IN (SELECT DISTINCT aid FROM items) GROUP BY 1
  ),
  subs AS (
    SELECT s."attemptQuestionId" AS qid, s."tryNumber" AS try, s."createdAt" AS at,
           lag(s."createdAt") OVER (PARTITION BY i.aid ORDER BY s."createdAt") AS prev, i.started
    FROM "Submission" s JOIN items i ON i.qid = s."attemptQuestionId"
  ),
  per_item AS (
    SELECT qid, count(*)::int AS n,
           (EXTRACT(EPOCH FROM (min(at) FILTER (WHERE try = 1) - min(COALESCE(prev, started)) FILTER (WHERE try = 1))))::float8 AS secs
    FROM subs GROUP BY qid
  ),
  fe AS (SELECT f."attemptQuestionId" AS qid, count(*)::int AS n FROM "FormatError" f JOIN items i ON i.qid = f."attemptQuestionId" GROUP BY 1)
  SELECT i.tid AS "templateId", min(pt.title) AS title, count(*)::int AS items, count(pi.qid)::int AS answered,
         avg(i.pts / i.mx)::float8 AS mean,
         (percentile_cont(0.5) WITHIN GROUP (ORDER BY i.pts / i.mx))::float8 AS median,
         corr(i.pts, t.tp - i.pts)::float8 AS discrimination,
         avg(pi.secs)::float8 AS "meanSeconds",
         COALESCE(sum(pi.n), 0)::int AS submissions,
         COALESCE(sum(fe.n), 0)::int AS "formatErrors"
  FROM items i JOIN totals t ON t.aid = i.aid
  LEFT JOIN per_item pi ON pi.qid = i.qid LEFT JOIN fe ON fe.qid = i.qid
  LEFT JOIN "ProblemTemplate" pt ON pt.id = i.tid
  GROUP BY i.tid ORDER BY i.tid`;
}

export interface HistogramRow {
  templateId: string;
  bucket: number;
  count: number;
}

/** Per template, items per score bucket (1..HISTOGRAM_BUCKETS). */
export function templateHistogram(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)}
  SELECT tid AS "templateId", LEAST(width_bucket(pts / mx, 0, 1, ${HISTOGRAM_BUCKETS}::int), ${HISTOGRAM_BUCKETS}::int)::int AS bucket, count(*)::int AS count
  FROM items GROUP BY 1, 2 ORDER BY 1, 2`;
}

export interface PartRow {
  templateId: string;
  part: string;
  n: number;
  mean: number;
  correct: number;
  partial: number;
  incorrect: number;
  missing: number;
}

/** Per template and part (in the template's order), from each item's last try: answers, mean part score, and how many were correct, partial, incorrect, missing. */
export function partSummary(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)},
  last AS (
    SELECT DISTINCT ON (s."attemptQuestionId") s."attemptQuestionId" AS qid, s.results
    FROM "Submission" s JOIN items i ON i.qid = s."attemptQuestionId"
    ORDER BY s."attemptQuestionId", s."tryNumber" DESC
  )
  SELECT i.tid AS "templateId", r.value->>'id' AS part, count(*)::int AS n, avg((r.value->>'score')::float8)::float8 AS mean,
         (count(*) FILTER (WHERE r.value->>'status' = 'correct'))::int AS correct,
         (count(*) FILTER (WHERE r.value->>'status' = 'partial'))::int AS partial,
         (count(*) FILTER (WHERE r.value->>'status' = 'incorrect'))::int AS incorrect,
         (count(*) FILTER (WHERE r.value->>'status' = 'missing'))::int AS missing
  FROM items i JOIN last l ON l.qid = i.qid CROSS JOIN LATERAL jsonb_array_elements(l.results) WITH ORDINALITY AS r(value, k)
  GROUP BY 1, 2 ORDER BY 1, min(r.k), 2`;
}

/** Every part result of every try of the items in scope: i (item), s (submission), r (result). */
const EVERY_TRY_PART = Prisma.sql`items i JOIN "Submission" s ON s."attemptQuestionId" = i.qid CROSS JOIN LATERAL jsonb_array_elements(s.results) AS r`;

export interface WrongAnswerRow {
  templateId: string;
  part: string;
  answer: unknown;
  count: number;
}

/** Per template and part, over every try: the TOP_WRONG most common answers graded incorrect or partial. */
export function wrongAnswers(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)},
  w AS (
    SELECT i.tid, r->>'id' AS part, s.answers -> (r->>'id') AS answer
    FROM ${EVERY_TRY_PART}
    WHERE r->>'status' IN ('incorrect', 'partial')
  ),
  g AS (
    SELECT tid, part, answer, count(*)::int AS count,
           row_number() OVER (PARTITION BY tid, part ORDER BY count(*) DESC, answer::text) AS rk
    FROM w GROUP BY tid, part, answer
  )
  SELECT tid AS "templateId", part, answer, count FROM g WHERE rk <= ${TOP_WRONG}::int ORDER BY 1, 2, count DESC, answer::text`;
}

export interface MistakeRow {
  templateId: string;
  part: string;
  mistake: string;
  count: number;
}

/** Per template, part and named mistake, over every try: how often an answer matched it. */
export function mistakeCounts(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)}
  SELECT i.tid AS "templateId", r->>'id' AS part, r->>'mistake' AS mistake, count(*)::int AS count
  FROM ${EVERY_TRY_PART}
  WHERE r->>'mistake' IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, count DESC, 3`;
}

export interface ParameterRow {
  templateId: string;
  name: string;
  /** The value, when the parameter has at most MAX_PARAM_VALUES distinct values; else null and the bucket's range. */
  value: number | null;
  bucket: number | null;
  from: number;
  to: number;
  n: number;
  mean: number;
}

/**
 * Per template and numeric scalar parameter (of each item's latest variant): the mean item
 * score for each value, or for each of PARAM_BUCKETS equal-width ranges when the parameter
 * takes more than MAX_PARAM_VALUES values. Parameters with one value only are left out.
 */
export function parameterScores(scope: ItemScope): Prisma.Sql {
  return Prisma.sql`WITH ${items(scope)},
  lv AS (
    SELECT DISTINCT ON (v."attemptQuestionId") v."attemptQuestionId" AS qid, v.params
    FROM "Variant" v JOIN items i ON i.qid = v."attemptQuestionId"
    ORDER BY v."attemptQuestionId", v."createdAt" DESC
  ),
  pv AS (
    SELECT i.tid, i.pts / i.mx AS frac, p.key AS name, (p.value #>> '{}')::float8 AS x
    FROM items i JOIN lv ON lv.qid = i.qid CROSS JOIN LATERAL jsonb_each(lv.params) AS p
    WHERE jsonb_typeof(p.value) = 'number'
  ),
  k AS (SELECT tid, name, count(DISTINCT x) AS nd, min(x) AS lo, max(x) AS hi FROM pv GROUP BY 1, 2),
  b AS (
    SELECT pv.tid, pv.name, pv.frac, pv.x,
           CASE WHEN k.nd <= ${MAX_PARAM_VALUES}::int THEN pv.x END AS value,
           CASE WHEN k.nd > ${MAX_PARAM_VALUES}::int THEN LEAST(width_bucket(pv.x, k.lo, k.hi, ${PARAM_BUCKETS}::int), ${PARAM_BUCKETS}::int) END AS bucket,
           k.lo, k.hi
    FROM pv JOIN k ON k.tid = pv.tid AND k.name = pv.name
    WHERE k.nd > 1
  )
  SELECT tid AS "templateId", name, value, bucket::int AS bucket,
         CASE WHEN bucket IS NULL THEN min(x) ELSE min(lo) + (min(hi) - min(lo)) * (bucket - 1) / ${PARAM_BUCKETS}::int END::float8 AS "from",
         CASE WHEN bucket IS NULL THEN max(x) ELSE min(lo) + (min(hi) - min(lo)) * bucket / ${PARAM_BUCKETS}::int END::float8 AS "to",
         count(*)::int AS n, avg(frac)::float8 AS mean
  FROM b GROUP BY tid, name, value, bucket ORDER BY 1, 2, COALESCE(value, bucket)`;
}

export interface ExamSummaryRow {
  attempts: number;
  students: number;
  mean: number | null;
  median: number | null;
}

/** The exam's finished attempts, students, and mean and median attempt score (fractions). */
export function examSummary(examId: string): Prisma.Sql {
  return Prisma.sql`SELECT count(*)::int AS attempts, count(DISTINCT a."userId")::int AS students,
         avg(a.points / NULLIF(a."maxPoints", 0))::float8 AS mean,
         (percentile_cont(0.5) WITHIN GROUP (ORDER BY a.points / NULLIF(a."maxPoints", 0)))::float8 AS median
  FROM "Attempt" a WHERE a."examId" = ${examId}::uuid AND a.status = 'FINISHED'`;
}

/** Finished attempts per score bucket (1..HISTOGRAM_BUCKETS). */
export function examHistogram(examId: string): Prisma.Sql {
  return Prisma.sql`SELECT LEAST(width_bucket(a.points / a."maxPoints", 0, 1, ${HISTOGRAM_BUCKETS}::int), ${HISTOGRAM_BUCKETS}::int)::int AS bucket, count(*)::int AS count
  FROM "Attempt" a WHERE a."examId" = ${examId}::uuid AND a.status = 'FINISHED' AND a."maxPoints" > 0 GROUP BY 1 ORDER BY 1`;
}
