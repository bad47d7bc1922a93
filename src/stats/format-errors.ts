/** Answers that could not be read (422 ANSWER_FORMAT) are recorded, not graded: the statistics' share of format errors counts them. */
import type { FastifyInstance } from 'fastify';
import type { PartResult } from '../engine/index.js';

/** Records that `parts` of an answer to the variant could not be read; best effort (the 422 goes out whatever happens here). */
export async function recordFormatError(
  app: FastifyInstance,
  at: { variantId: string; userId: string; attemptQuestionId: string | null },
  parts: readonly PartResult[],
): Promise<void> {
  const unreadable = parts.filter((p) => p.status === 'format-error').map((p) => p.id);
  try {
    await app.prisma.formatError.create({ data: { ...at, parts: unreadable } });
  } catch (err) {
    app.log.warn({ err }, 'could not record a format error');
  }
}
