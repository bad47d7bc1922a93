/** Zod schemas shared by routes: the error shape, pagination, ids, integers in URLs. */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { ERROR_CODE_LIST, ERROR_CODES } from '../error-codes.js';

export const errorBody = z
  .object({
    statusCode: z.number().int(),
    code: z.enum(ERROR_CODE_LIST).describe(
      Object.entries(ERROR_CODES)
        .map(([c, e]) => `${c} (${e.status}): ${e.description}`)
        .join('\n'),
    ),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

/**
 * The error responses every route may give, for the OpenAPI document: client errors, the
 * transport-level ones (408 request timeout, 413 body too large, 429 rate limited) and the
 * server's (500, 503).
 */
export const errors = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  408: errorBody,
  409: errorBody,
  413: errorBody,
  422: errorBody,
  429: errorBody,
  500: errorBody,
  503: errorBody,
} as const;

/** A 204 response: no body at all (documented as such, not as JSON). */
export const noContent = z.null().describe('no content');

/**
 * An integer written in a URL (query or path), in plain decimal digits only: `0x10`, `1e3`,
 * ` 1` and `+5` are refused (z.coerce.number() accepted them all).
 */
export function urlInt(min: number, max: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be a whole number written in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const pageQuery = z.strictObject({
  page: urlInt(1, 100_000).default(1),
  pageSize: urlInt(1, 100).default(20),
});

export const pageInfo = z.object({ page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });

/** A UUID from a client, in its canonical lower-case form from here on (ids are compared as text in places). */
export const uuid = z.uuid({ message: 'must be a UUID' }).transform((s) => s.toLowerCase());
export const courseParams = z.strictObject({ courseId: uuid });

export const bearer = [{ bearerAuth: [] }];

/**
 * csvFile(description): a 200 response that is a CSV file, not JSON: documented as text/csv
 * with its Content-Disposition header (the route sends a stream, which skips serialisation).
 */
export function csvFile(description: string) {
  return z.instanceof(Readable).meta({
    description,
    content: { 'text/csv; charset=utf-8': { schema: { type: 'string' } } },
    headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="…"' } },
  });
}

/** The OpenAPI marker of a body that may be left out (plugins/swagger.ts turns it into `requestBody.required: false`). */
export const OPTIONAL_BODY = 'x-optional-body';

/**
 * optionalBody(schema): a body whose fields are all optional, which may also be left out
 * altogether (Fastify hands the validator null then; it is read as {}).
 */
export function optionalBody<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => v ?? {}, schema).meta({ [OPTIONAL_BODY]: true });
}
