/** Opaque cursors for keyset pagination: the last row's sort key, base64url JSON; a cursor this service did not give is a 400. */
import type { z } from 'zod';
import { badRequest } from '../errors.js';

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const r = schema.safeParse(parsed);
  if (!r.success)
    throw badRequest('VALIDATION_ERROR', 'cursor is not one this service gave (use nextCursor of the previous page)', [{ path: 'querystring.cursor' }]);
  return r.data;
}
