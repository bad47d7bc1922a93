/** Zod schemas shared by routes: the error shape, pagination, ids. */
import { z } from 'zod';

export const errorBody = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});

/** Standard error responses for the OpenAPI document. */
export const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody } as const;

export const pageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const pageInfo = z.object({ page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });

export const uuid = z.uuid({ message: 'must be a UUID' });
export const courseParams = z.strictObject({ courseId: uuid });

export const bearer = [{ bearerAuth: [] }];
