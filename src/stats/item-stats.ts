/**
 * Item statistics of an exam, or of one template across a course's exams: per template,
 * per part and per parameter, from the SQL aggregates in item-sql.ts (the database returns
 * groups, never the items). Scores are fractions in [0, 1]; difficulty is the classical item
 * difficulty (the mean score: low is hard); discrimination the corrected item-total
 * correlation (null with fewer than two attempts or no spread).
 */
import type { FastifyInstance } from 'fastify';
import { Prisma } from '../generated/prisma/client.js';
import {
  examHistogram,
  examSummary,
  HISTOGRAM_BUCKETS,
  mistakeCounts,
  parameterScores,
  partSummary,
  templateHistogram,
  templateSummary,
  wrongAnswers,
  type ExamSummaryRow,
  type HistogramRow,
  type ItemScope,
  type MistakeRow,
  type ParameterRow,
  type PartRow,
  type TemplateRow,
  type WrongAnswerRow,
} from './item-sql.js';

export interface HistogramBin {
  /** Score range [from, to) as fractions; the last bin includes 1. */
  from: number;
  to: number;
  count: number;
}

export interface PartStats {
  id: string;
  answered: number;
  mean: number;
  correct: number;
  partial: number;
  incorrect: number;
  missing: number;
  wrongAnswers: { answer: unknown; count: number }[];
  mistakes: { id: string; count: number }[];
}

export interface ParameterGroup {
  /** The parameter's value; absent for a range of values (from..to). */
  value?: number;
  from: number;
  to: number;
  n: number;
  mean: number;
}

export interface TemplateStats {
  templateId: string;
  title: string | null;
  items: number;
  /** Items with at least one graded try. */
  answered: number;
  mean: number;
  median: number;
  difficulty: number;
  discrimination: number | null;
  meanSecondsToAnswer: number | null;
  submissions: number;
  formatErrors: number;
  /** formatErrors / (submissions + formatErrors): how often an answer to it could not be read. */
  formatErrorShare: number;
  histogram: HistogramBin[];
  parts: PartStats[];
  parameters: { name: string; groups: ParameterGroup[] }[];
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const r6n = (x: number | null) => (x === null ? null : r6(x));

function bins(rows: readonly { bucket: number; count: number }[]): HistogramBin[] {
  const out: HistogramBin[] = [];
  for (let b = 1; b <= HISTOGRAM_BUCKETS; b++) {
    out.push({ from: r6((b - 1) / HISTOGRAM_BUCKETS), to: r6(b / HISTOGRAM_BUCKETS), count: rows.find((r) => r.bucket === b)?.count ?? 0 });
  }
  return out;
}

function groupBy<T extends { templateId: string }>(rows: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.templateId, [...(m.get(r.templateId) ?? []), r]);
  return m;
}

/** A template's statistics before any item: zeros, an empty histogram. */
export function emptyTemplateStats(templateId: string, title: string | null): TemplateStats {
  return {
    templateId,
    title,
    items: 0,
    answered: 0,
    mean: 0,
    median: 0,
    difficulty: 0,
    discrimination: null,
    meanSecondsToAnswer: null,
    submissions: 0,
    formatErrors: 0,
    formatErrorShare: 0,
    histogram: bins([]),
    parts: [],
    parameters: [],
  };
}

/**
 * One statistics statement, with PostgreSQL's JIT off: the planner cannot estimate joins of
 * the materialised `items` CTE and guesses millions of rows, for which it JIT-compiles the
 * plan, spending ~0.7 s of a 0.8 s statement compiling (measured by bench:stats on 2,000 × 10).
 */
function statement(app: FastifyInstance) {
  return <T>(s: Prisma.Sql): Promise<T[]> =>
    app.sql.transaction(async (tx) => {
      await tx.query(Prisma.sql`SET LOCAL jit = off`);
      return tx.query<T>(s);
    });
}

/** The statistics of every template in scope, in template id order. */
export async function templateStats(app: FastifyInstance, scope: ItemScope): Promise<TemplateStats[]> {
  const q = statement(app);
  const [summary, histogram, parts, wrong, mistakes, parameters] = await Promise.all([
    q<TemplateRow>(templateSummary(scope)),
    q<HistogramRow>(templateHistogram(scope)),
    q<PartRow>(partSummary(scope)),
    q<WrongAnswerRow>(wrongAnswers(scope)),
    q<MistakeRow>(mistakeCounts(scope)),
    q<ParameterRow>(parameterScores(scope)),
  ]);
  const hist = groupBy(histogram);
  const partsOf = groupBy(parts);
  const wrongOf = groupBy(wrong);
  const mistakesOf = groupBy(mistakes);
  const paramsOf = groupBy(parameters);
  return summary.map((t) => {
    const params = new Map<string, ParameterGroup[]>();
    for (const p of paramsOf.get(t.templateId) ?? []) {
      const g: ParameterGroup =
        p.value === null
          ? { from: r6(p.from), to: r6(p.to), n: p.n, mean: r6(p.mean) }
          : { value: p.value, from: p.value, to: p.value, n: p.n, mean: r6(p.mean) };
      params.set(p.name, [...(params.get(p.name) ?? []), g]);
    }
    const tries = t.submissions + t.formatErrors;
    return {
      templateId: t.templateId,
      title: t.title,
      items: t.items,
      answered: t.answered,
      mean: r6(t.mean),
      median: r6(t.median),
      difficulty: r6(t.mean),
      discrimination: r6n(t.discrimination),
      meanSecondsToAnswer: t.meanSeconds === null ? null : Math.round(t.meanSeconds * 10) / 10,
      submissions: t.submissions,
      formatErrors: t.formatErrors,
      formatErrorShare: tries > 0 ? r6(t.formatErrors / tries) : 0,
      histogram: bins(hist.get(t.templateId) ?? []),
      parts: (partsOf.get(t.templateId) ?? []).map((p) => ({
        id: p.part,
        answered: p.n,
        mean: r6(p.mean),
        correct: p.correct,
        partial: p.partial,
        incorrect: p.incorrect,
        missing: p.missing,
        wrongAnswers: (wrongOf.get(t.templateId) ?? []).filter((w) => w.part === p.part).map((w) => ({ answer: w.answer, count: w.count })),
        mistakes: (mistakesOf.get(t.templateId) ?? []).filter((m) => m.part === p.part).map((m) => ({ id: m.mistake, count: m.count })),
      })),
      parameters: [...params].map(([name, groups]) => ({ name, groups })),
    };
  });
}

export interface ExamStats {
  examId: string;
  attempts: number;
  students: number;
  mean: number | null;
  median: number | null;
  histogram: HistogramBin[];
  templates: TemplateStats[];
}

/** An exam's statistics: its finished attempts as a whole, and per template. */
export async function examStats(app: FastifyInstance, examId: string): Promise<ExamStats> {
  const q = statement(app);
  const [[summary], histogram, templates] = await Promise.all([
    q<ExamSummaryRow>(examSummary(examId)),
    q<HistogramRow>(examHistogram(examId)),
    templateStats(app, { examId }),
  ]);
  return {
    examId,
    attempts: summary?.attempts ?? 0,
    students: summary?.students ?? 0,
    mean: r6n(summary?.mean ?? null),
    median: r6n(summary?.median ?? null),
    histogram: bins(histogram),
    templates,
  };
}
