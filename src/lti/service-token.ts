/**
 * The client-credentials grant of LTI Advantage services (Security Framework §4.1): a JWT
 * client assertion signed by the tool's current key (iss = sub = client id, aud = the token
 * URL, a fresh jti, five minutes) exchanged at the platform's token URL for an access token,
 * cached per registration and scopes until a minute before it expires.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { LtiRegistration } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { currentSigningKey } from './keys.js';
import type { OutboundFetch } from '../net/outbound.js';

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional(), scope: z.string().optional() });

export const platformFailed = (message: string) => new AppError(502, 'LTI_PLATFORM_FAILED', message.slice(0, 500));

export async function clientAssertion(prisma: PrismaClient, reg: Pick<LtiRegistration, 'clientId' | 'tokenUrl'>, now: Date): Promise<string> {
  const { kid, key } = await currentSigningKey(prisma);
  const t = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(reg.clientId)
    .setSubject(reg.clientId)
    .setAudience(reg.tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt(t)
    .setExpirationTime(t + 300)
    .sign(key);
}

export class ServiceTokens {
  private readonly cache = new Map<string, { token: string; until: number }>();
  /** Requests under way: concurrent score deliveries wait for one token instead of each asking for their own. */
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date,
    /** How platforms are reached (the AGS and NRPS calls use it too). */
    readonly http: OutboundFetch,
  ) {}

  /** token(reg, scopes): a bearer token for the scopes (cached), or 502 LTI_PLATFORM_FAILED. */
  async token(reg: LtiRegistration, scopes: readonly string[]): Promise<string> {
    const scope = [...scopes].sort().join(' ');
    const key = `${reg.id} ${scope}`;
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now.getTime()) return hit.token;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const request = this.fetchToken(reg, scope, key, now).finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  private async fetchToken(reg: LtiRegistration, scope: string, key: string, now: Date): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(this.prisma, reg, now),
      scope,
    });
    let res: Response;
    try {
      res = await this.http(reg.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw platformFailed(`the platform's token URL did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw platformFailed(`the platform's token URL answered HTTP ${res.status}`);
    }
    const parsed = tokenResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw platformFailed("the platform's token response has no access_token");
    const ttl = parsed.data.expires_in ?? 3600;
    this.cache.set(key, { token: parsed.data.access_token, until: now.getTime() + Math.max(0, ttl - 60) * 1000 });
    return parsed.data.access_token;
  }

  /** forget(reg): drops the registration's tokens (a 401 from a service). */
  forget(registrationId: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${registrationId} `)) this.cache.delete(k);
  }
}
