/**
 * OIDC third-party initiated login (LTI 1.3 core §5.1.1): the platform sends iss, login_hint,
 * target_link_uri (and lti_message_hint, client_id, lti_deployment_id); the tool stores a state
 * and a nonce server-side (single use, ten minutes: the launch that follows is a cross-site
 * form POST, often in an iframe, where no SameSite cookie arrives) and redirects the browser to
 * the platform's authorisation endpoint.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import { AppError } from '../errors.js';
import type { Registrations } from './registrations.js';

export const STATE_TTL_MS = 10 * 60_000;

export const loginParams = z.object({
  iss: z.string().min(1).max(2000),
  login_hint: z.string().min(1).max(4000),
  target_link_uri: z.string().min(1).max(2000),
  lti_message_hint: z.string().max(4000).optional(),
  client_id: z.string().min(1).max(500).optional(),
  lti_deployment_id: z.string().min(1).max(500).optional(),
});
export type LoginParams = z.infer<typeof loginParams>;

/** startLogin(...): the platform authorisation URL to redirect to, with a fresh state and nonce stored. */
export async function startLogin(prisma: PrismaClient, registrations: Registrations, p: LoginParams, toolOrigin: string, now: Date): Promise<string> {
  const reg = await registrations.forLogin(p.iss, p.client_id);
  if (p.lti_deployment_id && !reg.deploymentIds.includes(p.lti_deployment_id)) {
    throw new AppError(400, 'LTI_UNKNOWN_PLATFORM', `the deployment ${p.lti_deployment_id.slice(0, 100)} is not registered for this platform`);
  }
  let target: URL;
  try {
    target = new URL(p.target_link_uri);
  } catch {
    throw new AppError(400, 'VALIDATION_ERROR', 'target_link_uri is not a URL');
  }
  // The launch comes back to this tool only: a target elsewhere would make us an open redirector.
  if (target.origin !== toolOrigin) throw new AppError(400, 'VALIDATION_ERROR', `target_link_uri must be on ${toolOrigin}`);
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  await prisma.ltiLaunchState.create({ data: { state, nonce, registrationId: reg.id, expiresAt: new Date(now.getTime() + STATE_TTL_MS) } });
  const url = new URL(reg.authLoginUrl);
  const q = url.searchParams;
  q.set('scope', 'openid');
  q.set('response_type', 'id_token');
  q.set('response_mode', 'form_post');
  q.set('prompt', 'none');
  q.set('client_id', reg.clientId);
  q.set('redirect_uri', `${toolOrigin}/lti/launch`);
  q.set('login_hint', p.login_hint);
  q.set('state', state);
  q.set('nonce', nonce);
  if (p.lti_message_hint !== undefined) q.set('lti_message_hint', p.lti_message_hint);
  return url.toString();
}
