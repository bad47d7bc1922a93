/**
 * Verifying a launch (LTI 1.3 core §5.1.3, Security Framework §5.1.3): the state is claimed
 * (single use, unexpired) and names the registration; the id_token is verified with the
 * platform's key (by kid, one refetch on an unknown kid), for that registration's issuer and
 * our client id as audience (aud may be an array: then azp must be our client id), unexpired;
 * its nonce is the state's and was never accepted before; its deployment is registered; it is
 * an LTI 1.3.0 resource-link or deep-linking request. Every refusal is a 401
 * LTI_LAUNCH_REFUSED saying which check failed.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { LtiRegistration } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError } from '../errors.js';
import { CLAIM, MESSAGE_TYPES, type MessageType } from './claims.js';
import type { PlatformKeys } from './platform-keys.js';

const refused = (message: string) => new AppError(401, 'LTI_LAUNCH_REFUSED', message);

const str = z.string().min(1).max(4000);
/** A service URL of the platform (the tool fetches or posts to it): http(s) only. */
const serviceUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000);
const claimsSchema = z.object({
  sub: str,
  nonce: str,
  azp: z.string().optional(),
  email: z.string().max(254).optional(),
  name: z.string().max(200).optional(),
  given_name: z.string().max(200).optional(),
  family_name: z.string().max(200).optional(),
  [CLAIM.messageType]: z.enum(MESSAGE_TYPES, { message: `must be one of ${MESSAGE_TYPES.join(', ')}` }),
  [CLAIM.version]: z.literal('1.3.0', { message: 'must be 1.3.0' }),
  [CLAIM.deploymentId]: str,
  [CLAIM.roles]: z.array(z.string().max(500)).max(100),
  [CLAIM.context]: z.object({ id: str, title: z.string().max(500).optional(), label: z.string().max(500).optional() }),
  [CLAIM.resourceLink]: z.object({ id: str, title: z.string().max(500).optional() }).optional(),
  [CLAIM.targetLinkUri]: z.string().max(2000).optional(),
  [CLAIM.custom]: z.record(z.string(), z.unknown()).optional(),
  [CLAIM.ags]: z.object({ scope: z.array(z.string()).default([]), lineitems: serviceUrl.optional(), lineitem: serviceUrl.optional() }).optional(),
  [CLAIM.nrps]: z.object({ context_memberships_url: serviceUrl }).optional(),
  [CLAIM.deepLinkingSettings]: z
    .object({ deep_link_return_url: serviceUrl, accept_types: z.array(z.string()).default([]), data: z.string().max(4000).optional() })
    .optional(),
});

export interface Launch {
  registration: LtiRegistration;
  messageType: MessageType;
  deploymentId: string;
  sub: string;
  email?: string;
  name: string;
  roles: string[];
  context: { id: string; title: string };
  resourceLink?: { id: string; title?: string };
  custom: Record<string, unknown>;
  ags?: { scope: string[]; lineitems?: string; lineitem?: string };
  membershipsUrl?: string;
  deepLinking?: { returnUrl: string; acceptTypes: string[]; data?: string };
}

function joseMessage(err: unknown): AppError {
  if (err instanceof joseErrors.JWTExpired) return refused('the id_token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) return refused(`the id_token's ${err.claim} claim is wrong (${err.reason})`);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return refused("no key of the platform's JWKS matches the id_token's kid (after refetching it)");
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return refused("the id_token's signature does not verify");
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return refused('the id_token must be signed with RS256');
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || err instanceof TypeError) {
    return new AppError(502, 'LTI_PLATFORM_FAILED', "the platform's JWKS could not be fetched or read");
  }
  if (err instanceof joseErrors.JOSEError) return refused(`the id_token is invalid (${err.code})`);
  return refused('the id_token is invalid');
}

/** verifyLaunch(deps, form, now): the verified launch, or 401 LTI_LAUNCH_REFUSED. */
export async function verifyLaunch(deps: { prisma: PrismaClient; keys: PlatformKeys }, form: { id_token: string; state: string }, now: Date): Promise<Launch> {
  const { prisma } = deps;
  const claimed = await prisma.ltiLaunchState.updateMany({ where: { state: form.state, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  const row = await prisma.ltiLaunchState.findUnique({ where: { state: form.state }, include: { registration: true } });
  if (claimed.count !== 1 || !row) {
    if (!row) throw refused('unknown state: start the launch from the platform again');
    if (row.usedAt) throw refused('this state was already used: start the launch from the platform again');
    throw refused('the login expired: start the launch from the platform again');
  }
  const reg = row.registration;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(form.id_token, deps.keys.keySet(reg.id, reg.jwksUrl), {
      issuer: reg.issuer,
      audience: reg.clientId,
      algorithms: ['RS256'],
      currentDate: now,
      clockTolerance: 5,
      maxTokenAge: '10m',
      requiredClaims: ['exp', 'iat', 'nonce', 'sub'],
    }));
  } catch (err) {
    throw joseMessage(err);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((aud.length > 1 || payload.azp !== undefined) && payload.azp !== reg.clientId) {
    throw refused("the id_token has several audiences and its azp is not this tool's client id");
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refused(`the id_token's claim ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.nonce !== row.nonce) throw refused("the id_token's nonce is not the one of this login");
  try {
    await prisma.ltiUsedNonce.create({ data: { issuer: reg.issuer, nonce: c.nonce, expiresAt: new Date(now.getTime() + 3_600_000) } });
  } catch (err) {
    if (isUniqueViolation(err)) throw refused("the id_token's nonce was already used (a replayed launch)");
    throw err;
  }
  const deploymentId = c[CLAIM.deploymentId];
  if (!reg.deploymentIds.includes(deploymentId)) throw refused(`the deployment ${deploymentId.slice(0, 100)} is not registered for this platform`);
  const messageType = c[CLAIM.messageType];
  const resourceLink = c[CLAIM.resourceLink];
  if (messageType === 'LtiResourceLinkRequest' && !resourceLink) throw refused('a resource link launch needs the resource_link claim');
  const dl = c[CLAIM.deepLinkingSettings];
  if (messageType === 'LtiDeepLinkingRequest' && !dl) throw refused('a deep linking launch needs the deep_linking_settings claim');
  const context = c[CLAIM.context];
  const name = c.name ?? [c.given_name, c.family_name].filter(Boolean).join(' ');
  return {
    registration: reg,
    messageType,
    deploymentId,
    sub: c.sub,
    email: c.email,
    name: name || 'LTI user',
    roles: c[CLAIM.roles],
    context: { id: context.id, title: context.title ?? context.label ?? 'LTI course' },
    resourceLink,
    custom: c[CLAIM.custom] ?? {},
    ags: c[CLAIM.ags],
    membershipsUrl: c[CLAIM.nrps]?.context_memberships_url,
    deepLinking: dl ? { returnUrl: dl.deep_link_return_url, acceptTypes: dl.accept_types, data: dl.data } : undefined,
  };
}
