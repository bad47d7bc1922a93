/**
 * One error shape for every failure: `{ statusCode, code, message, details? }`. Client errors
 * say what and where (validation details carry the field path); 5xx details are logged, not
 * returned.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import { AppError } from '../errors.js';
import { isErrorCode, type ErrorCode } from '../error-codes.js';
import { EngineError } from '../engine/index.js';
import { isConnectionError, isUniqueViolation } from '../db/errors.js';
import { wantsWebApp } from './web.js';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
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

const CONNECTION_PATTERNS =
  /terminat|ECONNREFUSED|ECONNRESET|Connection terminated|connection (is )?closed|Can't reach database|P1001|P1017|server closed the connection/i;

/** Maps any thrown value to the error body and whether it is a server fault. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  }
  if (err instanceof EngineError) {
    return { statusCode: 422, code: isErrorCode(err.code) ? err.code : 'TEMPLATE_INVALID', message: err.message, details: { path: err.path } };
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
    const code: ErrorCode =
      fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'PAYLOAD_TOO_LARGE'
        : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'INVALID_JSON'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : fe.statusCode === 401
              ? 'UNAUTHORIZED'
              : fe.statusCode === 408
                ? 'REQUEST_TIMEOUT'
                : fe.statusCode === 413
                  ? 'PAYLOAD_TOO_LARGE'
                  : fe.statusCode === 429
                    ? 'RATE_LIMITED'
                    : fe.statusCode === 404
                      ? 'NOT_FOUND'
                      : 'BAD_REQUEST';
    return { statusCode: fe.statusCode, code, message: fe.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (pc?.startsWith('P1') || isConnectionError(err) || CONNECTION_PATTERNS.test(message)) {
    return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry shortly' };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal Server Error' };
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a bad header character, a
 * request not received within REQUEST_TIMEOUT_SECONDS, headers too large) answered in the same
 * shape as every other error, then the connection is closed.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [statusCode, code, message]: [number, ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'BAD_REQUEST', 'malformed HTTP request'];
  const body = JSON.stringify({ statusCode, code, message });
  this.log.debug({ err }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    // Requests that arrive while the server closes: the same error shape (Fastify's own 503 has no code).
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', async () => {
      if (closing) throw new AppError(503, 'SHUTTING_DOWN', 'the server is shutting down; retry shortly');
    });
    app.setErrorHandler((err, request, reply) => {
      const body = toErrorBody(err);
      if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
      else request.log.info({ code: body.code, statusCode: body.statusCode }, body.message);
      if (body.statusCode === 503) void reply.header('retry-after', '1');
      return reply.status(body.statusCode).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      // A browser navigating to one of the app's own paths (/exams/…): the app, which routes on the client.
      if (app.sendWebApp && wantsWebApp(request)) return app.sendWebApp(reply);
      return reply.status(404).send({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
    });
  },
  { name: 'errors' },
);
