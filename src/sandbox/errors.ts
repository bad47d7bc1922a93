/**
 * SandboxError: a template hit one of the sandbox's limits (time, memory, nesting, size), or the
 * sandbox itself could not run the task. An AppError, so the error handler answers it with the
 * status its code has in the catalogue (422 for the template's fault, 503/500 for the sandbox's)
 * and `details.path` naming the template field when it is known.
 */
import { AppError } from '../errors.js';
import { ERROR_CODES } from '../error-codes.js';

export const SANDBOX_ERROR_CODES = [
  'TEMPLATE_TIMEOUT',
  'TEMPLATE_MEMORY',
  'TEMPLATE_TOO_DEEP',
  'TEMPLATE_TOO_LARGE',
  'SANDBOX_BUSY',
  'SANDBOX_FAILED',
  'SHUTTING_DOWN',
] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

export function isSandboxErrorCode(code: unknown): code is SandboxErrorCode {
  return typeof code === 'string' && (SANDBOX_ERROR_CODES as readonly string[]).includes(code);
}

export class SandboxError extends AppError {
  constructor(
    code: SandboxErrorCode,
    message: string,
    /** The template field the limit was hit in (`answers[1].expr`), or '' when unknown. */
    readonly path = '',
  ) {
    super(ERROR_CODES[code].status, code, path ? `${path}: ${message}` : message, path ? { path } : undefined);
    this.name = 'SandboxError';
  }

  declare readonly code: SandboxErrorCode;
}
