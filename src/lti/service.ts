/** The LTI tool's shared state: registrations (and the frame origins cache), platforms' key sets, service tokens. */
import type { PrismaClient } from '../db/client.js';
import { PlatformKeys } from './platform-keys.js';
import { Registrations } from './registrations.js';
import { ServiceTokens } from './service-token.js';
import type { OutboundFetch } from '../net/outbound.js';

export class LtiService {
  readonly registrations: Registrations;
  readonly platformKeys: PlatformKeys;
  readonly tokens: ServiceTokens;
  /** Every request to a platform goes through this (app.outboundFetch: the private-address policy). */
  readonly fetch: OutboundFetch;

  constructor(prisma: PrismaClient, now: () => Date, opts: { jwksCooldownMs: number; fetch: OutboundFetch }) {
    this.fetch = opts.fetch;
    this.registrations = new Registrations(prisma, now);
    this.platformKeys = new PlatformKeys(opts.jwksCooldownMs, this.fetch);
    this.tokens = new ServiceTokens(prisma, now, this.fetch);
  }

  /** forget(registrationId): a deleted registration's caches. */
  forget(registrationId: string): void {
    this.platformKeys.forget(registrationId);
    this.tokens.forget(registrationId);
    this.registrations.invalidate();
  }
}
