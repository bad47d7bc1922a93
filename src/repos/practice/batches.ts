/**
 * The practice hot statements, batched across concurrent requests (db/batcher.ts):
 * - storeVariant: the variants of all issue requests waiting to be stored, one INSERT … SELECT
 *   FROM jsonb_to_recordset($1) that keeps only the rows whose owner is a member of the course
 *   (or an admin): a row left out is that request's 404;
 * - readVariant: the practice variants of all submits waiting to be graded (with their owner's
 *   role in the course, for the authoriser), one SELECT … = ANY($1) AND context = 'PRACTICE';
 * - storeSubmission: the graded rows of all submits waiting to be stored, one INSERT … SELECT
 *   FROM jsonb_to_recordset($1) ON CONFLICT DO NOTHING, i.e. one statement and one commit.
 * A request is answered only after the statement holding its row committed, as before; a row
 * the unique indexes refuse ((variantId, tryNumber) or (userId, idempotencyKey)) comes back as
 * `undefined` for that request alone. Under a rush this turns ~50 concurrent requests into a
 * few statements instead of 50–100.
 */
import { Batcher, rowByRow } from '../../db/batcher.js';
import type { RawSql } from '../../db/raw.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { VariantRow } from '../../practice/variants.js';
import { memberOf, roleOfColumn, type CourseRole } from '../../authz/index.js';

export interface PracticeVariantRow extends VariantRow {
  /** The owner's role in the variant's course (null: no longer a member). */
  ownerRole: CourseRole | null;
}

export interface NewSubmission {
  id: string;
  variantId: string;
  userId: string;
  answers: unknown;
  results: unknown;
  score: number;
  points: number;
  maxPoints: number;
  idempotencyKey: string | null;
  requestHash: string;
}

export interface StoredRow {
  id: string;
  createdAt: Date;
}

export interface NewVariant {
  id: string;
  templateVersionId: string;
  userId: string;
  /** Unchecked: the row is stored only if the course exists and the user is a member or an admin. */
  courseId: string;
  admin: boolean;
  seed: number;
  params: unknown;
  answers: unknown;
  parts: unknown;
  prompt: string;
  solution: string;
}

export interface PracticeBatches {
  /** The stored variant's course and time, or undefined if there is no such course or the user is not in it. */
  storeVariant(row: NewVariant): Promise<{ courseId: string; createdAt: Date } | undefined>;
  /** The practice variant row with its owner's role in the course, or undefined if there is no practice variant with this id. */
  readVariant(id: string): Promise<PracticeVariantRow | undefined>;
  /** The stored row's id and time, or undefined if a unique index refused it (already submitted, or the key is used). */
  storeSubmission(row: NewSubmission): Promise<StoredRow | undefined>;
}

// bench:http at 50 connections runs ≈ 9 submits per statement; 2 reads/8 writes in flight, or
// 8/8, measured the same as 4/4 within the machine's noise.
const BATCH = { maxInFlight: 4, maxBatch: 64 };
// The canonical form (the route's and PostgreSQL's): a row is found by its id in lower case, and
// one malformed id must not fail the statement of the batch it would have joined.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The result for each id, in order, from the rows a statement returned (undefined: no row). */
function inOrder<R extends { id: string }>(ids: string[], rows: R[]): (R | undefined)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()));
}

export function practiceBatches(sql: RawSql): PracticeBatches {
  const issue = async (rows: NewVariant[]) => {
    const stored = await sql.query<{ id: string; courseId: string; createdAt: Date }>(Prisma.sql`/* qg:practice-issue */
      INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", context, seed, params, answers, parts, prompt, solution)
      SELECT r.id, r."templateVersionId", r."userId", c.id, 'PRACTICE', r.seed, r.params, r.answers, r.parts, r.prompt, r.solution
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        id uuid, "templateVersionId" uuid, "userId" uuid, "courseId" uuid, admin boolean, seed int,
        params jsonb, answers jsonb, parts jsonb, prompt text, solution text)
      JOIN "Course" c ON c.id = r."courseId"
      WHERE r.admin OR ${memberOf('r."userId"', 'c.id')}
      RETURNING id, "courseId"::text AS "courseId", "createdAt"`);
    return inOrder(
      rows.map((r) => r.id),
      stored,
    );
  };
  const issues = new Batcher<NewVariant, { courseId: string; createdAt: Date } | undefined>(rowByRow(issue), BATCH);

  const reads = new Batcher<string, PracticeVariantRow | undefined>(async (ids) => {
    const rows = await sql.query<PracticeVariantRow>(Prisma.sql`/* qg:practice-variants */
      SELECT v.id, v."templateVersionId", v."userId", v."courseId", v.context::text AS context, v.seed, v.params, v.answers, v.parts, v.prompt, v.solution, v."createdAt",
             ${roleOfColumn('v."userId"', 'v."courseId"')} AS "ownerRole"
      FROM "Variant" v WHERE v.id = ANY(${ids}::uuid[]) AND v.context = 'PRACTICE'`);
    return inOrder(ids, rows);
  }, BATCH);

  const insert = async (rows: NewSubmission[]) => {
    const stored = await sql.query<StoredRow>(Prisma.sql`/* qg:practice-submissions */
      INSERT INTO "Submission" (id, "variantId", context, "userId", "tryNumber", answers, results, score, points, "maxPoints", "idempotencyKey", "requestHash")
      SELECT r.id, r."variantId", 'PRACTICE', r."userId", 1, r.answers, r.results, r.score, r.points, r."maxPoints", r."idempotencyKey", r."requestHash"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        id uuid, "variantId" uuid, "userId" uuid, answers jsonb, results jsonb, score float8, points float8, "maxPoints" float8,
        "idempotencyKey" text, "requestHash" text)
      ON CONFLICT DO NOTHING
      RETURNING id, "createdAt"`);
    return inOrder(
      rows.map((r) => r.id),
      stored,
    );
  };
  const writes = new Batcher<NewSubmission, StoredRow | undefined>(rowByRow(insert), BATCH);

  return {
    storeVariant: (row) => (UUID.test(row.courseId) ? issues.add(row) : Promise.resolve(undefined)),
    readVariant: (id) => (UUID.test(id) ? reads.add(id) : Promise.resolve(undefined)),
    storeSubmission: (row) => writes.add(row),
  };
}
