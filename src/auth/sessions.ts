/**
 * Sessions: what login, register, refresh and logout hand out and take back. An API client gets
 * both tokens in the response body, as always. A browser may ask for a cookie session instead
 * (`session: 'cookie'`): the refresh token then lives only in an httpOnly cookie, so no script
 * on the page (nor whatever XSS runs among them) can read it, and the access token stays in the
 * page's memory and goes out as a bearer header like any client's.
 *
 * A cookie is sent by the browser whoever asked for the request, so every request that a cookie
 * authenticates must carry an Origin header naming this server (or one of CORS_ORIGINS):
 * SameSite=Strict already keeps the cookie off cross-site requests, and the Origin check also
 * covers sibling sites and browsers without SameSite.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError, unauthorized } from '../errors.js';
import { issueTokens, revoke, rotate, type TokenPair } from './tokens.js';

export const REFRESH_COOKIE = 'qg_refresh';
/** Only the refresh and logout routes see the cookie (the API's prefix, /api/v1, is fixed in app.ts). */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export const SESSION_MODES = ['token', 'cookie'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** What a client is sent: the refresh token only when it is not in the cookie. */
export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

// A browser keeps Secure cookies from plain http only on these (and a developer runs here).
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function cookieOptions(request: FastifyRequest, config: Config): CookieSerializeOptions {
  const secure = config.COOKIE_SECURE === 'auto' ? !LOOPBACK.has(request.hostname.toLowerCase()) : config.COOKIE_SECURE === 'true';
  return { httpOnly: true, sameSite: 'strict', path: REFRESH_COOKIE_PATH, secure };
}

/** The scheme://host[:port] of a URL, normalised (lower case, default port dropped); undefined if it has none. */
function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** ownOrigin(request): the origin the request was addressed to (behind a trusted proxy, its X-Forwarded-Proto and -Host). */
export function ownOrigin(request: FastifyRequest): string | undefined {
  return originOf(`${request.protocol}://${request.host}`);
}

/** checkOrigin(request, config): throws 403 CSRF_ORIGIN_MISMATCH unless the Origin header is this server's or one of CORS_ORIGINS. */
export function checkOrigin(request: FastifyRequest, config: Config): void {
  const sent = request.headers.origin;
  const origin = sent === undefined ? undefined : originOf(sent);
  if (origin !== undefined && (origin === ownOrigin(request) || config.CORS_ORIGINS.some((o) => originOf(o) === origin))) return;
  throw new AppError(
    403,
    'CSRF_ORIGIN_MISMATCH',
    sent === undefined ? 'a request with the session cookie needs an Origin header' : `the origin ${sent.slice(0, 200)} may not use the session cookie`,
  );
}

function toCookie(request: FastifyRequest, reply: FastifyReply, config: Config, pair: TokenPair): SessionTokens {
  void reply.setCookie(REFRESH_COOKIE, pair.refreshToken, { ...cookieOptions(request, config), maxAge: config.REFRESH_TOKEN_TTL_DAYS * 86_400 });
  return { accessToken: pair.accessToken, tokenType: pair.tokenType, expiresIn: pair.expiresIn };
}

/**
 * openSession(app, request, reply, user, mode): a new token pair; in `cookie` mode the refresh
 * token is set as the cookie and left out of the result. The caller checks the Origin first
 * (checkOrigin) for a cookie session, before it does any work.
 */
export async function openSession(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  user: { id: string; isAdmin: boolean },
  mode: SessionMode,
): Promise<SessionTokens> {
  const pair = await issueTokens(app, user);
  return mode === 'cookie' ? toCookie(request, reply, app.config, pair) : pair;
}

/**
 * refreshSession(app, request, reply, bodyToken?): rotates the refresh token in the body (as
 * always: the new one in the result), or else the cookie's (Origin checked; the new one set as
 * the cookie). A cookie that can never work again (401) is cleared, so the browser stops sending it.
 */
export async function refreshSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, bodyToken?: string): Promise<SessionTokens> {
  if (bodyToken !== undefined) return rotate(app, bodyToken);
  const cookie = request.cookies[REFRESH_COOKIE];
  if (!cookie) throw unauthorized(`no refresh token: send refreshToken in the body, or the ${REFRESH_COOKIE} cookie`);
  checkOrigin(request, app.config);
  let pair: TokenPair;
  try {
    pair = await rotate(app, cookie);
  } catch (err) {
    // Not on a 503: the token may well be good once the database is back.
    if (err instanceof AppError && err.statusCode === 401) void reply.clearCookie(REFRESH_COOKIE, cookieOptions(request, app.config));
    throw err;
  }
  return toCookie(request, reply, app.config, pair);
}

/**
 * closeSession(app, request, reply, bodyToken?): revokes the body's refresh token's family (a
 * cookie, if any, is left alone: it may be another session), or else the cookie's (Origin
 * checked) and clears the cookie. Nothing to revoke is no error: logging out is idempotent.
 */
export async function closeSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, bodyToken?: string): Promise<void> {
  if (bodyToken !== undefined) return revoke(app, bodyToken);
  const cookie = request.cookies[REFRESH_COOKIE];
  if (!cookie) return;
  checkOrigin(request, app.config);
  await revoke(app, cookie);
  void reply.clearCookie(REFRESH_COOKIE, cookieOptions(request, app.config));
}
