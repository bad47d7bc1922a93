/**
 * Platforms' public keys, one remote JWKS per registration (jose's createRemoteJWKSet): the
 * key is looked up by kid; an unknown kid triggers one refetch (at most one per cooldown), so a
 * platform's key rotation is picked up and a made-up kid costs the platform one request.
 */
import { createRemoteJWKSet, customFetch } from 'jose';
import type { OutboundFetch } from '../net/outbound.js';

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export class PlatformKeys {
  private readonly sets = new Map<string, { url: string; set: KeySet }>();

  constructor(
    private readonly cooldownMs: number,
    private readonly http: OutboundFetch,
  ) {}

  /** keySet(registrationId, jwksUrl): the (cached) remote key set of the registration. */
  keySet(registrationId: string, jwksUrl: string): KeySet {
    const have = this.sets.get(registrationId);
    if (have && have.url === jwksUrl) return have.set;
    const set = createRemoteJWKSet(new URL(jwksUrl), {
      cooldownDuration: this.cooldownMs,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 5000,
      [customFetch]: (url, init) => this.http(url, init),
    });
    this.sets.set(registrationId, { url: jwksUrl, set });
    return set;
  }

  forget(registrationId: string): void {
    this.sets.delete(registrationId);
  }
}
