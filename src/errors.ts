/**
 * Errors with an HTTP status and a stable code from the catalogue (error-codes.ts). Domain code
 * throws these; the error handler (plugins/errors.ts) maps them, and everything else, to
 * `{ statusCode, code, message, details? }`.
 */
import type { ErrorCode } from './error-codes.js';

export type { ErrorCode };

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'Authentication required') => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'Not allowed') => new AppError(403, 'FORBIDDEN', message);
/** Also used for resources that exist but belong to someone else, so ids cannot be probed. */
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (code: ErrorCode, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: ErrorCode, message: string, details?: unknown) => new AppError(422, code, message, details);
