/**
 * Platform registrations: made by an administrator (REST) or by dynamic registration. The
 * origins allowed to frame the launch pages are the union of every registration's platform
 * origins, cached here and invalidated on every change (other instances see a change within
 * the cache's lifetime).
 */
import type { PrismaClient } from '../db/client.js';
import type { LtiRegistration } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { originOf } from '../net/origin.js';

const ORIGINS_TTL_MS = 30_000;

export interface RegistrationInput {
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authLoginUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  platformOrigins?: string[];
  source?: 'manual' | 'dynamic';
}

export class Registrations {
  private origins: { at: number; list: string[] } | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date,
  ) {}

  /** create(input): the registration; its platform origins default to the issuer's and the login URL's. */
  async create(input: RegistrationInput): Promise<LtiRegistration> {
    const origins = new Set(input.platformOrigins?.map((o) => originOf(o) ?? o) ?? []);
    if (!input.platformOrigins?.length) {
      for (const u of [input.issuer, input.authLoginUrl]) {
        const o = originOf(u);
        if (o) origins.add(o);
      }
    }
    const row = await this.prisma.ltiRegistration.create({
      data: { ...input, deploymentIds: [...new Set(input.deploymentIds)], platformOrigins: [...origins], source: input.source ?? 'manual' },
    });
    this.origins = undefined;
    return row;
  }

  /** update(id, {deploymentIds?, platformOrigins?}): the changed registration, or null when there is none. */
  async update(id: string, change: { deploymentIds?: string[]; platformOrigins?: string[] }): Promise<LtiRegistration | null> {
    const data = {
      ...(change.deploymentIds ? { deploymentIds: [...new Set(change.deploymentIds)] } : {}),
      ...(change.platformOrigins ? { platformOrigins: [...new Set(change.platformOrigins.map((o) => originOf(o) ?? o))] } : {}),
    };
    const r = await this.prisma.ltiRegistration.updateMany({ where: { id }, data });
    this.origins = undefined;
    return r.count === 1 ? this.prisma.ltiRegistration.findUnique({ where: { id } }) : null;
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.prisma.ltiRegistration.deleteMany({ where: { id } });
    this.origins = undefined;
    return r.count === 1;
  }

  list(): Promise<LtiRegistration[]> {
    return this.prisma.ltiRegistration.findMany({ orderBy: { createdAt: 'asc' } });
  }

  /** forLogin(issuer, clientId?): the registration a login names; 400 when none, or several and no client id says which. */
  async forLogin(issuer: string, clientId: string | undefined): Promise<LtiRegistration> {
    const rows = await this.prisma.ltiRegistration.findMany({ where: { issuer, ...(clientId ? { clientId } : {}) }, take: 2 });
    if (rows.length === 0) {
      throw new AppError(
        400,
        'LTI_UNKNOWN_PLATFORM',
        `no LTI registration for the issuer ${issuer.slice(0, 200)}${clientId ? ` and client id ${clientId.slice(0, 100)}` : ''}`,
      );
    }
    if (rows.length > 1) throw new AppError(400, 'LTI_UNKNOWN_PLATFORM', 'several registrations share this issuer: the login must name its client_id');
    return rows[0];
  }

  /** frameOrigins(): every registered platform origin (cached). */
  async frameOrigins(): Promise<string[]> {
    const t = this.now().getTime();
    if (this.origins && Math.abs(t - this.origins.at) < ORIGINS_TTL_MS) return this.origins.list;
    const rows = await this.prisma.ltiRegistration.findMany({ select: { platformOrigins: true } });
    const list = [...new Set(rows.flatMap((r) => r.platformOrigins))].filter((o) => /^https?:\/\/[^\s;,']+$/.test(o)).sort();
    this.origins = { at: t, list };
    return list;
  }

  invalidate(): void {
    this.origins = undefined;
  }
}
