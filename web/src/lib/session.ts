/**
 * The browser session. The refresh token lives in an httpOnly cookie the page cannot read
 * (scoped to /api/v1/auth); the access token lives only in this module's memory. A 401 is
 * answered by one refresh and one retry. Refreshes are serialised across tabs with a Web Lock,
 * so two tabs whose tokens expire together rotate the cookie one after the other instead of
 * presenting the same refresh token twice.
 *
 * An LTI launch's session (startLtiSession) runs in the platform's iframe, where the
 * SameSite=Strict cookie is a third-party cookie the browser may never set nor send: its
 * refresh token is kept in this module's memory (never in storage) and rotated through the
 * body, so the exam page keeps working past the access token's expiry; the server also keeps
 * it in a partitioned cookie, from which a reloaded iframe resumes (resumeSession's refresh).
 */
import { signal } from '@preact/signals';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export const currentUser = signal<SessionUser | null>(null);
/** 'unknown' until the first refresh attempt at start-up has answered. */
export const sessionState = signal<'unknown' | 'signed-in' | 'signed-out'>('unknown');

let accessToken: string | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<boolean> | null = null;
/** The refresh token of an LTI token session (memory only); null in a cookie session. */
let bodyRefreshToken: string | null = null;

const AUTH = '/api/v1/auth/';

interface TokensBody {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  user?: SessionUser;
}

/** Called with the answer of POST /api/v1/auth/lti: a token session whose refresh token stays in memory. */
export function startLtiSession(body: TokensBody): void {
  bodyRefreshToken = body.refreshToken ?? null;
  startSession(body);
}

/** Called with a login, register or refresh response. */
export function startSession(body: TokensBody): void {
  accessToken = body.accessToken;
  if (body.refreshToken) bodyRefreshToken = body.refreshToken;
  if (body.user) currentUser.value = { id: body.user.id, email: body.user.email, name: body.user.name, isAdmin: body.user.isAdmin };
  sessionState.value = 'signed-in';
  clearTimeout(renewTimer);
  // Renew a minute before expiry so an exam page never meets an expired token mid-save.
  renewTimer = setTimeout(() => void refresh(accessToken), Math.max(5, body.expiresIn - 60) * 1000);
}

export function endSession(): void {
  accessToken = null;
  bodyRefreshToken = null;
  clearTimeout(renewTimer);
  currentUser.value = null;
  sessionState.value = 'signed-out';
}

async function refreshNow(): Promise<boolean> {
  let res: Response;
  try {
    res = bodyRefreshToken
      ? await fetch(`${AUTH}refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: bodyRefreshToken }),
        })
      : await fetch(`${AUTH}refresh`, { method: 'POST', credentials: 'same-origin' });
  } catch {
    return false; // offline: keep the session as it is; the caller's request failed anyway
  }
  if (!res.ok) {
    endSession();
    return false;
  }
  startSession((await res.json()) as TokensBody);
  if (!currentUser.value) await loadMe();
  return true;
}

/**
 * refresh(seen): a new access token from the cookie. `seen` is the token the caller found
 * wanting; if another request (or tab, via the lock) already replaced it, nothing is sent.
 */
export function refresh(seen: string | null = accessToken): Promise<boolean> {
  if (accessToken !== seen && accessToken !== null) return Promise.resolve(true);
  inflight ??= (async () => {
    try {
      if (navigator.locks) {
        // In a third-party iframe (an LTI launch) with partitioned or blocked storage, the lock
        // request itself is denied (SecurityError): then refresh without it, as a lone tab would.
        const locked = await navigator.locks
          .request('quizgrad-refresh', () => refreshNow())
          .catch((err: unknown) => {
            if (err instanceof DOMException && err.name === 'SecurityError') return null;
            throw err;
          });
        if (locked !== null) return locked;
      }
      return await refreshNow();
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

async function loadMe(): Promise<void> {
  const res = await fetch('/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
  if (res.ok) startSessionUser((await res.json()) as SessionUser);
}

function startSessionUser(u: SessionUser): void {
  currentUser.value = { id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin };
}

/** The fetch every API call goes through: bearer token on, one refresh and retry on a 401. */
export async function authorizedFetch(request: Request): Promise<Response> {
  const isAuthRoute = new URL(request.url).pathname.startsWith(AUTH);
  const retry = isAuthRoute ? null : request.clone();
  const used = accessToken;
  if (used && !isAuthRoute) request.headers.set('authorization', `Bearer ${used}`);
  const res = await fetch(request);
  if (res.status !== 401 || !retry) return res;
  if (!(await refresh(used)) || !accessToken) return res;
  retry.headers.set('authorization', `Bearer ${accessToken}`);
  return fetch(retry);
}

/** At start-up: a still-valid cookie signs the user in without a password. */
export async function resumeSession(): Promise<void> {
  if (!(await refresh(null))) sessionState.value = 'signed-out';
}

export async function signOut(): Promise<void> {
  try {
    await (bodyRefreshToken
      ? fetch(`${AUTH}logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: bodyRefreshToken }) })
      : fetch(`${AUTH}logout`, { method: 'POST', credentials: 'same-origin' }));
  } finally {
    endSession();
  }
}
