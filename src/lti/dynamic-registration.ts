/**
 * LTI Dynamic Registration (1EdTech, "LTI Dynamic Registration" 1.0): the platform opens
 * /lti/register?openid_configuration=…&registration_token=…; the tool reads the platform's
 * OpenID configuration (its issuer must be the configuration URL's origin), POSTs its own
 * registration (OpenID Connect Dynamic Client Registration with the LTI tool configuration)
 * with the registration token as bearer, and stores the client id and deployment it gets.
 * The URL must also carry an administrator's one-time invite, so nobody else can register a
 * platform of their own with this tool.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { LtiRegistration } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { SCOPE, TOOL_CONFIGURATION } from './claims.js';
import type { Registrations } from './registrations.js';
import { originOf } from '../net/origin.js';
import { platformFailed } from './service-token.js';
import type { OutboundFetch } from '../net/outbound.js';

export const INVITE_TTL_MS = 7 * 86_400_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const openidConfiguration = z.object({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  registration_endpoint: z.url(),
});

const registrationResponse = z.object({
  client_id: z.string().min(1).max(500),
  [TOOL_CONFIGURATION]: z.object({ deployment_id: z.string().min(1).max(500).optional() }).optional(),
});

/** newInvite(prisma, adminId, now): a one-time invite for a dynamic registration URL (a week). */
export async function newInvite(prisma: PrismaClient, adminId: string, now: Date): Promise<{ invite: string; expiresAt: Date }> {
  const invite = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  await prisma.ltiRegistrationInvite.create({ data: { tokenHash: sha256(invite), createdBy: adminId, expiresAt } });
  return { invite, expiresAt };
}

/** The tool's registration request (the body POSTed to the platform's registration endpoint). */
export function toolRegistration(toolOrigin: string): Record<string, unknown> {
  const host = new URL(toolOrigin).host;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${toolOrigin}/lti/login`,
    redirect_uris: [`${toolOrigin}/lti/launch`],
    client_name: 'quizgrad',
    jwks_uri: `${toolOrigin}/lti/jwks`,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [SCOPE.lineItem, SCOPE.resultReadonly, SCOPE.score, SCOPE.memberships].join(' '),
    [TOOL_CONFIGURATION]: {
      domain: host,
      target_link_uri: `${toolOrigin}/lti/launch`,
      description: 'Auto-graded, randomized practice exams',
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      messages: [
        { type: 'LtiResourceLinkRequest', target_link_uri: `${toolOrigin}/lti/launch` },
        {
          type: 'LtiDeepLinkingRequest',
          target_link_uri: `${toolOrigin}/lti/launch`,
          label: 'Add a quizgrad exam',
          placements: ['assignment_selection', 'link_selection'],
        },
      ],
    },
  };
}

async function fetchJson(http: OutboundFetch, url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await http(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw platformFailed(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw platformFailed(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  return res.json().catch(() => {
    throw platformFailed(`${what}: not JSON`);
  });
}

/** register(deps, params, toolOrigin, now): the stored registration, or 4xx/502 naming what failed. */
export async function dynamicRegister(
  deps: { prisma: PrismaClient; registrations: Registrations; fetch: OutboundFetch },
  p: { openid_configuration: string; registration_token?: string; invite: string },
  toolOrigin: string,
  now: Date,
): Promise<LtiRegistration> {
  const claimed = await deps.prisma.ltiRegistrationInvite.updateMany({
    where: { tokenHash: sha256(p.invite), usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (claimed.count !== 1)
    throw new AppError(401, 'LTI_LAUNCH_REFUSED', 'the registration invite is unknown, used or expired: ask an administrator for a new registration URL');
  const configOrigin = originOf(p.openid_configuration);
  if (!configOrigin || !/^https?:/.test(configOrigin)) throw new AppError(400, 'VALIDATION_ERROR', 'openid_configuration must be an http(s) URL');
  const raw = await fetchJson(deps.fetch, p.openid_configuration, { headers: { accept: 'application/json' } }, "reading the platform's openid-configuration");
  const parsed = openidConfiguration.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw platformFailed(`the platform's openid-configuration: ${i.path.join('.')}: ${i.message}`);
  }
  const conf = parsed.data;
  // The issuer must be where the configuration came from (the spec's check against a spoofed configuration).
  if (originOf(conf.issuer) !== configOrigin)
    throw new AppError(400, 'VALIDATION_ERROR', `the configuration's issuer ${conf.issuer.slice(0, 200)} is not on ${configOrigin}`);
  const answer = registrationResponse.safeParse(
    await fetchJson(
      deps.fetch,
      conf.registration_endpoint,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(p.registration_token ? { authorization: `Bearer ${p.registration_token}` } : {}),
        },
        body: JSON.stringify(toolRegistration(toolOrigin)),
      },
      'registering with the platform',
    ),
  );
  if (!answer.success) throw platformFailed('the platform answered the registration without a client_id');
  const deployment = answer.data[TOOL_CONFIGURATION]?.deployment_id;
  return deps.registrations.create({
    issuer: conf.issuer,
    clientId: answer.data.client_id,
    deploymentIds: deployment ? [deployment] : [],
    authLoginUrl: conf.authorization_endpoint,
    tokenUrl: conf.token_endpoint,
    jwksUrl: conf.jwks_uri,
    platformOrigins: [...new Set([configOrigin, originOf(conf.authorization_endpoint) ?? configOrigin])],
    source: 'dynamic',
  });
}
