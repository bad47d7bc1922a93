/**
 * The two statements of a practice submit, batched across concurrent requests (db/batcher.ts):
 * - readVariant: the variants of all submits waiting to be graded, one SELECT … = ANY($1);
 * - storeSubmission: the graded rows of all submits waiting to be stored, one INSERT … SELECT
 *   FROM jsonb_to_recordset($1) ON CONFLICT DO NOTHING, i.e. one statement and one commit.
 * A request is answered only after the statement holding its row committed, as before; a row
 * the unique indexes refuse ((variantId, tryNumber) or (userId, idempotencyKey)) comes back as
 * `undefined` for that request alone. Under an exam-start rush this turns ~50 concurrent
 * submits into a few statements instead of 100.
 */
import { Batcher, ItemFailure } from '../db/batcher.js';
import type { RawSql } from '../db/raw.js';
import { Prisma } from '../generated/prisma/client.js';
import type { VariantRow } from './variants.js';

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

export interface PracticeBatches {
  /** The variant row, or undefined if there is none with this id. */
  readVariant(id: string): Promise<VariantRow | undefined>;
  /** The stored row's id and time, or undefined if a unique index refused it (already submitted, or the key is used). */
  storeSubmission(row: NewSubmission): Promise<StoredRow | undefined>;
}

// bench:http at 50 connections runs ≈ 9 submits per statement; 2 reads/8 writes in flight, or
// 8/8, measured the same as 4/4 within the machine's noise.
const BATCH = { maxInFlight: 4, maxBatch: 64 };
// The canonical form (the route's and PostgreSQL's): a row is found by its id in lower case, and
// one malformed id must not fail the statement of the batch it would have joined.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A statement refused for its data (SQLSTATE class 22 data exception or 23 integrity
 * violation) was rolled back for certain; anything else (a lost connection) may have committed.
 */
function refusedForItsData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]...$/.test(code);
}

export function practiceBatches(sql: RawSql): PracticeBatches {
  const reads = new Batcher<string, VariantRow | undefined>(async (ids) => {
    const rows = await sql.query<VariantRow>(Prisma.sql`/* qg:practice-variants */
      SELECT id, "templateVersionId", "userId", "courseId", seed, params, answers, parts, prompt, solution, "createdAt"
      FROM "Variant" WHERE id = ANY(${ids}::uuid[])`);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id.toLowerCase()));
  }, BATCH);

  const insert = async (rows: NewSubmission[]): Promise<(StoredRow | undefined)[]> => {
    const stored = await sql.query<StoredRow>(Prisma.sql`/* qg:practice-submissions */
      INSERT INTO "Submission" (id, "variantId", "userId", "tryNumber", answers, results, score, points, "maxPoints", "idempotencyKey", "requestHash")
      SELECT r.id, r."variantId", r."userId", 1, r.answers, r.results, r.score, r.points, r."maxPoints", r."idempotencyKey", r."requestHash"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        id uuid, "variantId" uuid, "userId" uuid, answers jsonb, results jsonb, score float8, points float8, "maxPoints" float8,
        "idempotencyKey" text, "requestHash" text)
      ON CONFLICT DO NOTHING
      RETURNING id, "createdAt"`);
    const byId = new Map(stored.map((r) => [r.id, r]));
    return rows.map((r) => byId.get(r.id));
  };
  const writes = new Batcher<NewSubmission, StoredRow | undefined>(async (rows) => {
    try {
      return await insert(rows);
    } catch (err) {
      // One row the database refuses (say, its variant was deleted meanwhile) must not fail the
      // others: the statement was rolled back, so store them one by one and let that row fail alone.
      if (rows.length === 1 || !refusedForItsData(err)) throw err;
      const settled = await Promise.allSettled(rows.map((r) => insert([r])));
      return settled.map((s) => (s.status === 'fulfilled' ? s.value[0] : new ItemFailure(s.reason)));
    }
  }, BATCH);

  return {
    readVariant: (id) => (UUID.test(id) ? reads.add(id) : Promise.resolve(undefined)),
    storeSubmission: (row) => writes.add(row),
  };
}

