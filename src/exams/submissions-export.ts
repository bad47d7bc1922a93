/**
 * Every submission (graded try) of an exam, for staff: JSON pages in the order they were made
 * (keyset on createdAt, id), or the whole of it as CSV, a page at a time.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExamRef } from '../authz/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { csvLine, csvText } from './gradebook-csv.js';

export interface SubmissionRow {
  id: string;
  attemptId: string;
  attemptNumber: number;
  userId: string;
  email: string;
  name: string;
  position: number;
  templateId: string;
  tryNumber: number;
  score: number;
  points: number;
  maxPoints: number;
  createdAt: Date;
  answers: unknown;
  /** Per part: id, status, score, and the named mistake when the answer matched one. */
  parts: { id: string; status: string; score: number; mistake?: string }[];
}

const cursorKey = z.strictObject({ at: z.iso.datetime(), id: z.uuid() });
const resultPart = z.object({ id: z.string(), status: z.string(), score: z.number(), mistake: z.string().optional() });

export async function submissionsPage(app: FastifyInstance, { exam }: ExamRef, opts: { cursor?: string; limit: number }) {
  const after = decodeCursor(opts.cursor, cursorKey);
  const rows = await app.prisma.submission.findMany({
    where: {
      attemptQuestion: { attempt: { examId: exam.id } },
      ...(after ? { OR: [{ createdAt: { gt: new Date(after.at) } }, { createdAt: new Date(after.at), id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: opts.limit + 1,
    select: {
      id: true,
      tryNumber: true,
      score: true,
      points: true,
      maxPoints: true,
      createdAt: true,
      answers: true,
      results: true,
      user: { select: { id: true, email: true, name: true } },
      attemptQuestion: { select: { position: true, templateId: true, attempt: { select: { id: true, number: true } } } },
    },
  });
  const page = rows.slice(0, opts.limit);
  const items: SubmissionRow[] = page.map((s) => ({
    id: s.id,
    attemptId: s.attemptQuestion?.attempt.id ?? '',
    attemptNumber: s.attemptQuestion?.attempt.number ?? 0,
    userId: s.user.id,
    email: s.user.email,
    name: s.user.name,
    position: s.attemptQuestion?.position ?? 0,
    templateId: s.attemptQuestion?.templateId ?? '',
    tryNumber: s.tryNumber,
    score: s.score,
    points: s.points,
    maxPoints: s.maxPoints,
    createdAt: s.createdAt,
    answers: s.answers,
    parts: z
      .array(resultPart)
      .parse(s.results)
      .map((p) => ({ id: p.id, status: p.status, score: p.score, ...(p.mistake ? { mistake: p.mistake } : {}) })),
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > opts.limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null };
}

const line = csvLine;
const HEADER = [
  'submission',
  'attempt',
  'attempt number',
  'student',
  'email',
  'question',
  'template',
  'try',
  'score',
  'points',
  'max points',
  'submitted at',
  'answers',
  'mistakes',
];

/** The exam's submissions as CSV (RFC 4180, answers as JSON text), a chunk per page; the first page is read before this returns. */
export async function openSubmissionsCsv(app: FastifyInstance, ref: ExamRef, pageSize = 1000): Promise<AsyncIterable<string>> {
  const first = await submissionsPage(app, ref, { limit: pageSize });
  const rows = (items: SubmissionRow[]) =>
    items
      .map((s) =>
        line([
          s.id,
          s.attemptId,
          String(s.attemptNumber),
          csvText(s.name),
          csvText(s.email),
          String(s.position),
          csvText(s.templateId),
          String(s.tryNumber),
          String(s.score),
          String(s.points),
          String(s.maxPoints),
          s.createdAt.toISOString(),
          csvText(JSON.stringify(s.answers)),
          csvText(
            s.parts
              .filter((p) => p.mistake)
              .map((p) => `${p.id}:${p.mistake ?? ''}`)
              .join(' '),
          ),
        ]),
      )
      .join('');
  return (async function* () {
    yield line(HEADER) + rows(first.items);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await submissionsPage(app, ref, { cursor, limit: pageSize });
      yield rows(page.items);
      cursor = page.nextCursor;
    }
  })();
}
