/**
 * Answers must name parts the question has. An answer keyed by an unknown part id (a typo, a
 * stale client, another question's form) used to be accepted and ignored: the practice variant
 * was used up with a score of 0, and an exam autosave overwrote a good save. Refused instead,
 * before anything is stored.
 */
import { fromJson } from '../db/json.js';
import type { Prisma } from '../generated/prisma/client.js';
import { unprocessable } from '../errors.js';

/** assertKnownParts(parts, answers): throws 422 UNKNOWN_PARTS naming the answer keys the question has no part for. */
export function assertKnownParts(parts: Prisma.JsonValue, answers: Record<string, unknown>): void {
  const known = new Set(fromJson<{ id: string }[]>(parts).map((p) => p.id));
  const unknown = Object.keys(answers).filter((k) => !known.has(k));
  if (unknown.length) {
    throw unprocessable('UNKNOWN_PARTS', `this question has no part ${unknown.join(', ')} (its parts: ${[...known].join(', ')}); nothing was stored`, {
      unknown,
      parts: [...known],
    });
  }
}
