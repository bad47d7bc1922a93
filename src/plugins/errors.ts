/**
 * One error shape for every failure: `{ statusCode, code, message, details? }`. Client errors
 * say what and where (validation details carry the field path); 5xx details are logged, not
 * returned.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import { AppError } from '../errors.js';
import { EngineError } from '../engine/index.js';
import { isConnectionError, isUniqueViolation } from '../db/errors.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

function validationDetails(err: FastifyError & { validationContext?: string }): { path: string; message: string }[] {
  const where = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const path = (v.instancePath ?? '').split('/').filter(Boolean).join('.');
    return { path: path ? `${where}.${path}` : where, message: v.message ?? 'invalid' };
  });
}

function prismaCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

const CONNECTION_PATTERNS = /terminat|ECONNREFUSED|ECONNRESET|Connection terminated|connection (is )?closed|Can't reach database|P1001|P1017|server closed the connection/i;

/** Maps any thrown value to the error body and whether it is a server fault. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  }
  if (err instanceof EngineError) {
    return { statusCode: 422, code: err.code, message: err.message, details: { path: err.path } };
  }
  const fe = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fe) || (fe && Array.isArray(fe.validation))) {
    const details = validationDetails(fe);
    const first = details[0];
    return { statusCode: 400, code: 'VALIDATION_ERROR', message: first ? `${first.path}: ${first.message}` : 'invalid request', details };
  }
  const pc = prismaCode(err);
  if (isUniqueViolation(err)) return { statusCode: 409, code: 'CONFLICT', message: 'a record with these values already exists' };
  if (pc === 'P2003') return { statusCode: 409, code: 'CONFLICT', message: 'a related record does not exist (any more)' };
  if (pc === 'P2025') return { statusCode: 404, code: 'NOT_FOUND', message: 'record not found' };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE'
      : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'INVALID_JSON'
      : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE'
      : fe.statusCode === 401 ? 'UNAUTHORIZED'
      : fe.statusCode === 429 ? 'RATE_LIMITED'
      : (fe.code ?? 'BAD_REQUEST').replace(/^FST_(ERR_)?/, '');
    return { statusCode: fe.statusCode, code, message: fe.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (pc?.startsWith('P1') || isConnectionError(err) || CONNECTION_PATTERNS.test(message)) {
    return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry shortly' };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal Server Error' };
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      const body = toErrorBody(err);
      if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
      else request.log.info({ code: body.code, statusCode: body.statusCode }, body.message);
      if (body.statusCode === 503) void reply.header('retry-after', '1');
      return reply.status(body.statusCode).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      return reply.status(404).send({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
    });
  },
  { name: 'errors' },
);
