/** The tool (the real app, listening on loopback as http://localhost:PORT) and a test platform (http://127.0.0.1:PORT2), and a browser's steps between them. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { setupApp, type TestContext } from '../helpers/app.js';
import { TestPlatform, type LaunchPlan } from './platform.js';

export interface LtiTest {
  ctx: TestContext;
  tool: string;
  platform: TestPlatform;
  close(): Promise<void>;
}

export async function setupLti(opts: { catalogue?: boolean; env?: Record<string, string> } = {}): Promise<LtiTest> {
  const ctx = await setupApp({ catalogue: opts.catalogue ?? true, env: { LTI_JWKS_COOLDOWN_SECONDS: '0', ...opts.env } });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (ctx.app.server.address() as AddressInfo).port;
  // The tool on "localhost", the platform on "127.0.0.1": two different sites, as in production.
  const tool = `http://localhost:${port}`;
  const platform = await new TestPlatform().start();
  platform.setTool(tool);
  return {
    ctx,
    tool,
    platform,
    async close() {
      await platform.close();
      await ctx.close();
    },
  };
}

/** registerByHand(t): the platform registered through the admin route. */
export async function registerByHand(t: LtiTest, adminAuth: { authorization: string }): Promise<string> {
  const p = t.platform;
  const res = await t.ctx.app.inject({
    method: 'POST',
    url: '/api/v1/lti/registrations',
    headers: adminAuth,
    payload: {
      issuer: p.issuer,
      clientId: p.clientId,
      deploymentIds: [p.deploymentId],
      authLoginUrl: `${p.origin}/auth`,
      tokenUrl: p.tokenUrl,
      jwksUrl: `${p.origin}/jwks`,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export interface LaunchResult {
  status: number;
  location: string | null;
  body: string;
  contentType: string | null;
  state: string;
  idToken: string;
}

/** Reads the platform's auto-submitting form. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]] = m[2].replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  }
  return out;
}

/** The browser's side of a launch: login at the tool → the platform's auth → the form POST to /lti/launch. */
export async function launch(
  t: LtiTest,
  plan: LaunchPlan,
  opts: { loginMethod?: 'GET' | 'POST'; tamper?: (form: { id_token: string; state: string }) => { id_token: string; state: string } } = {},
): Promise<LaunchResult> {
  t.ctx.clock.now = new Date();
  const p = t.platform;
  const hint = `hint-${randomBytes(6).toString('hex')}`;
  p.plans.set(hint, plan);
  const params = new URLSearchParams({
    iss: p.issuer,
    login_hint: hint,
    target_link_uri: `${t.tool}/lti/launch`,
    client_id: p.clientId,
    lti_deployment_id: p.deploymentId,
    lti_message_hint: 'm1',
  });
  const login =
    opts.loginMethod === 'POST'
      ? await fetch(`${t.tool}/lti/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params,
          redirect: 'manual',
        })
      : await fetch(`${t.tool}/lti/login?${params}`, { redirect: 'manual' });
  expect(login.status, await login.clone().text()).toBe(302);
  const auth = await fetch(login.headers.get('location') ?? '', { redirect: 'manual' });
  expect(auth.status).toBe(200);
  let form = formFields(await auth.text()) as { id_token: string; state: string };
  if (opts.tamper) form = opts.tamper(form);
  const res = await postLaunch(t, form);
  return { ...res, state: form.state, idToken: form.id_token };
}

export async function postLaunch(t: LtiTest, form: { id_token: string; state: string }): Promise<Omit<LaunchResult, 'state' | 'idToken'>> {
  const res = await fetch(`${t.tool}/lti/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: t.platform.origin },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), contentType: res.headers.get('content-type') };
}

/** The web app's /lti/session step: the code exchanged for a session. */
export async function handoff(t: LtiTest, location: string | null): Promise<{ auth: { authorization: string }; userId: string; next: string }> {
  expect(location).toMatch(/^\/lti\/session\?/);
  const q = new URL(location ?? '', t.tool).searchParams;
  const res = await t.ctx.app.inject({ method: 'POST', url: '/api/v1/auth/lti', payload: { code: q.get('code') } });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ accessToken: string; user: { id: string } }>();
  return { auth: { authorization: `Bearer ${body.accessToken}` }, userId: body.user.id, next: q.get('next') ?? '' };
}

export const ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  ta: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  admin: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
};
