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
 *
 * A session an LTI launch opens runs in the platform's iframe, where that Strict cookie is a
 * third-party cookie and never arrives. It is a token session (the refresh token in the body,
 * kept in the page's memory), and its refresh token is also set as a second cookie,
 * qg_refresh_lti: SameSite=None, Secure and Partitioned (CHIPS), which browsers keep for the
 * tool inside that platform's pages only. A reload of the iframe, which empties the page's
 * memory, resumes the session from it. Every rotation through the body rewrites that cookie
 * too, so the two never hold different tokens of one family (a stale one presented later
 * would revoke the family). Where a browser keeps no such cookie, the memory copy still
 * carries the session until the frame is reloaded.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError, unauthorized } from '../errors.js';
import { issueTokens, revoke, rotate, type TokenPair } from './tokens.js';
import { originOf } from '../net/origin.js';

export const REFRESH_COOKIE = 'qg_refresh';
/** The refresh cookie of a session in an LMS's iframe (SameSite=None; Secure; Partitioned). */
export const FRAMED_REFRESH_COOKIE = 'qg_refresh_lti';
/** Only the refresh and logout routes see the cookie (the API's prefix, /api/v1, is fixed in app.ts). */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export const SESSION_MODES = ['token', 'cookie'] as const;
/** 'framed': an LTI launch's session (the tokens in the body and the partitioned cookie); not a mode clients choose. */
export type SessionMode = (typeof SESSION_MODES)[number] | 'framed';

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

/** The partitioned cookie must be Secure (browsers keep Secure cookies from http on localhost too). */
function framedCookieOptions(): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'none', secure: true, partitioned: true, path: REFRESH_COOKIE_PATH };
}

function toFramedCookie(reply: FastifyReply, config: Config, pair: TokenPair): TokenPair {
  void reply.setCookie(FRAMED_REFRESH_COOKIE, pair.refreshToken, { ...framedCookieOptions(), maxAge: config.REFRESH_TOKEN_TTL_DAYS * 86_400 });
  return pair;
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
  if (mode === 'framed') return toFramedCookie(reply, app.config, pair);
  return mode === 'cookie' ? toCookie(request, reply, app.config, pair) : pair;
}

/**
 * refreshSession(app, request, reply, bodyToken?): rotates the refresh token in the body (as
 * always: the new one in the result), or else the cookie's (Origin checked; the new one set as
 * the cookie). A cookie that can never work again (401) is cleared, so the browser stops sending it.
 */
export async function refreshSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, bodyToken?: string): Promise<SessionTokens> {
  const framed = request.cookies[FRAMED_REFRESH_COOKIE];
  if (bodyToken !== undefined) {
    // The page of a framed session rotates through the body: its cookie follows (only for this server's own pages).
    if (framed !== undefined) checkOrigin(request, app.config);
    const pair = await rotate(app, bodyToken);
    return framed !== undefined ? toFramedCookie(reply, app.config, pair) : pair;
  }
  if (!request.cookies[REFRESH_COOKIE] && framed) return refreshFramed(app, request, reply, framed);
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

/** A framed session resumed from its cookie (the iframe was reloaded): the tokens in the body again, and the cookie rotated. */
async function refreshFramed(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, cookie: string): Promise<SessionTokens> {
  checkOrigin(request, app.config);
  try {
    return toFramedCookie(reply, app.config, await rotate(app, cookie));
  } catch (err) {
    if (err instanceof AppError && err.statusCode === 401) void reply.clearCookie(FRAMED_REFRESH_COOKIE, framedCookieOptions());
    throw err;
  }
}

/**
 * closeSession(app, request, reply, bodyToken?): revokes the body's refresh token's family (a
 * cookie, if any, is left alone: it may be another session), or else the cookie's (Origin
 * checked) and clears the cookie. Nothing to revoke is no error: logging out is idempotent.
 */
export async function closeSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, bodyToken?: string): Promise<void> {
  if (request.cookies[FRAMED_REFRESH_COOKIE] !== undefined) void reply.clearCookie(FRAMED_REFRESH_COOKIE, framedCookieOptions());
  if (bodyToken !== undefined) return revoke(app, bodyToken);
  const cookie = request.cookies[REFRESH_COOKIE] ?? request.cookies[FRAMED_REFRESH_COOKIE];
  if (!cookie) return;
  checkOrigin(request, app.config);
  await revoke(app, cookie);
  if (request.cookies[REFRESH_COOKIE] !== undefined) void reply.clearCookie(REFRESH_COOKIE, cookieOptions(request, app.config));
}
