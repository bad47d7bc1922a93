/**
 * Launch refusals, each a clear 4xx naming the check (never a 500): a replayed nonce, a wrong
 * audience (and several audiences without our azp), an expired token, an unknown kid (after one
 * refetch of the platform's JWKS), an unknown deployment, a reused or expired state, a wrong
 * issuer, a bad signature, a wrong message type or version; the login's own refusals; roles
 * mapped and changed; the launch code single use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/app.js';
import { handoff, launch, postLaunch, registerByHand, ROLE, setupLti, type LtiTest } from './harness.js';
import { newPlatformKey } from './platform.js';

let t: LtiTest;

beforeAll(async () => {
  t = await setupLti({ catalogue: false });
  const admin = await createUser(t.ctx.app, { admin: true });
  await registerByHand(t, admin.auth);
});
afterAll(async () => t?.close());

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const learner = (sub = 'learner-1', extra: Record<string, unknown> = {}) => ({ ...t.platform.resourceLinkClaims({ sub, roles: [ROLE.learner] }), ...extra });

function expectRefused(r: { status: number; body: string; contentType: string | null }, message: RegExp, status = 401) {
  expect(r.status, r.body).toBe(status);
  // A browser (Accept: text/html) gets a page saying what failed.
  expect(r.contentType).toMatch(/^text\/html/);
  expect(r.body).toMatch(message);
}

describe('launch', () => {
  it('a good launch signs in: the handoff code is single use', async () => {
    const r = await launch(t, { claims: learner() });
    expect(r.status, r.body).toBe(302);
    const q = new URL(r.location ?? '', t.tool).searchParams;
    await handoff(t, r.location);
    const again = await t.ctx.app.inject({ method: 'POST', url: '/api/v1/auth/lti', payload: { code: q.get('code') } });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ code: 'LTI_LAUNCH_REFUSED' });
  });

  it('refuses a reused state', async () => {
    const r = await launch(t, { claims: learner() });
    expect(r.status).toBe(302);
    expectRefused(await postLaunch(t, { id_token: r.idToken, state: r.state }), /already used/);
  });

  it('refuses a replayed nonce: with a new login, and even with a state that carries the same nonce', async () => {
    const first = await launch(t, { claims: learner() });
    expect(first.status).toBe(302);
    const replay = await launch(t, { claims: learner() }, { tamper: (f) => ({ ...f, id_token: first.idToken }) });
    expectRefused(replay, /nonce is not the one of this login/);
    const nonce = JSON.parse(Buffer.from(first.idToken.split('.')[1], 'base64url').toString('utf8')).nonce as string;
    const reg = await t.ctx.app.prisma.ltiRegistration.findFirstOrThrow();
    await t.ctx.app.prisma.ltiLaunchState.create({ data: { state: 'forged-state', nonce, registrationId: reg.id, expiresAt: new Date(Date.now() + 60_000) } });
    expectRefused(await postLaunch(t, { id_token: first.idToken, state: 'forged-state' }), /nonce was already used/);
  });

  it('refuses a wrong audience, and several audiences without our azp (with it: accepted)', async () => {
    expectRefused(await launch(t, { claims: learner(), override: (p) => ({ ...p, aud: 'another-tool' }) }), /aud/);
    expectRefused(await launch(t, { claims: learner(), override: (p) => ({ ...p, aud: [t.platform.clientId, 'another-tool'] }) }), /azp/);
    expectRefused(await launch(t, { claims: learner(), override: (p) => ({ ...p, aud: [t.platform.clientId, 'x'], azp: 'x' }) }), /azp/);
    const ok = await launch(t, { claims: learner(), override: (p) => ({ ...p, aud: [t.platform.clientId, 'another-tool'], azp: t.platform.clientId }) });
    expect(ok.status, ok.body).toBe(302);
  });

  it('refuses an expired token and a wrong issuer', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    expectRefused(await launch(t, { claims: learner(), override: (p) => ({ ...p, iat: past - 60, exp: past }) }), /expired/);
    expectRefused(await launch(t, { claims: learner(), override: (p) => ({ ...p, iss: 'https://evil.example.org' }) }), /iss/);
  });

  it('refuses a bad signature', async () => {
    expectRefused(await launch(t, { claims: learner(), badSignature: true }), /signature/);
  });

  it("refuses an unknown kid after one refetch of the platform's JWKS; a rotated platform key is picked up by that refetch", async () => {
    const stranger = await newPlatformKey();
    const before = t.platform.jwksFetches;
    expectRefused(await launch(t, { claims: learner(), key: stranger }), /no key of the platform/);
    expect(t.platform.jwksFetches - before).toBe(1);
    const rotated = await newPlatformKey();
    t.platform.keys.push(rotated);
    const n = t.platform.jwksFetches;
    const ok = await launch(t, { claims: learner(), key: rotated });
    expect(ok.status, ok.body).toBe(302);
    expect(t.platform.jwksFetches - n).toBe(1);
  });

  it('refuses an unknown deployment, a wrong message type or version, a resource link launch without its link', async () => {
    expectRefused(await launch(t, { claims: learner('learner-1', { [`${LTI}deployment_id`]: 'not-registered' }) }), /deployment/);
    expectRefused(await launch(t, { claims: learner('learner-1', { [`${LTI}message_type`]: 'LtiSubmissionReviewRequest' }) }), /message_type/);
    expectRefused(await launch(t, { claims: learner('learner-1', { [`${LTI}version`]: '1.1.0' }) }), /version.*1\.3\.0/);
    expectRefused(await launch(t, { claims: learner('learner-1', { [`${LTI}resource_link`]: undefined }) }), /resource_link/);
  });

  it('refuses service URLs that are not http(s) (the tool would fetch or post to them)', async () => {
    const dl = t.platform.deepLinkingClaims({ sub: 'teacher-x', roles: [ROLE.instructor] });
    const settings = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
    expectRefused(
      await launch(t, { claims: { ...dl, [settings]: { deep_link_return_url: 'javascript:alert(1)', accept_types: ['ltiResourceLink'] } } }),
      /deep_link_return_url.*http/,
    );
    const nrps = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
    expectRefused(await launch(t, { claims: learner('learner-1', { [nrps]: { context_memberships_url: 'file:///etc/passwd' } }) }), /context_memberships_url/);
  });

  it('refuses an expired login (state older than ten minutes)', async () => {
    const r = await launch(
      t,
      { claims: learner() },
      {
        tamper: (f) => {
          t.ctx.clock.now = new Date(Date.now() + 11 * 60_000);
          return f;
        },
      },
    );
    expectRefused(r, /expired/);
  });

  it('a non-browser caller gets the JSON error shape; a form without id_token is a 400', async () => {
    const res = await fetch(`${t.tool}/lti/launch`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'state=x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
    const unknown = await fetch(`${t.tool}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'state=nope&id_token=a.b.c',
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ code: 'LTI_LAUNCH_REFUSED', message: expect.stringMatching(/unknown state/) });
  });

  it('the login refuses an unknown issuer, a target elsewhere, missing parameters', async () => {
    const base = { iss: t.platform.issuer, login_hint: 'h', target_link_uri: `${t.tool}/lti/launch`, client_id: t.platform.clientId };
    const get = (q: Record<string, string>) =>
      fetch(`${t.tool}/lti/login?${new URLSearchParams(q)}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    const unknown = await get({ ...base, iss: 'https://nobody.example.org' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).code).toBe('LTI_UNKNOWN_PLATFORM');
    expect((await get({ ...base, target_link_uri: 'https://evil.example.org/x' })).status).toBe(400);
    expect((await get({ iss: t.platform.issuer })).status).toBe(400);
    expect((await get({ ...base, lti_deployment_id: 'nope' })).status).toBe(400);
  });

  it('maps roles (Instructor, TA, Learner; none is a 403) and changes a changed role through the membership writer', async () => {
    expectRefused(await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'admin-1', roles: [ROLE.admin] }) }), /no course role/, 403);
    const asTa = await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'person-7', roles: [ROLE.ta] }) });
    const s = await handoff(t, asTa.location);
    const ctxRow = await t.ctx.app.prisma.ltiContext.findFirstOrThrow({ where: { contextId: 'course-1' } });
    const role = async () =>
      (await t.ctx.app.prisma.membership.findUniqueOrThrow({ where: { userId_courseId: { userId: s.userId, courseId: ctxRow.courseId } } })).role;
    expect(await role()).toBe('TA');
    await handoff(t, (await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'person-7', roles: [ROLE.instructor, ROLE.learner] }) })).location);
    expect(await role()).toBe('INSTRUCTOR');
    const events = await t.ctx.app.prisma.outboxEvent.findMany({ where: { courseId: ctxRow.courseId, type: 'roster.changed' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.payload).filter((p) => (p as { userId: string }).userId === s.userId)).toEqual([
      expect.objectContaining({ change: 'added', role: 'TA', via: 'lti' }),
      expect.objectContaining({ change: 'role-changed', role: 'INSTRUCTOR', previousRole: 'TA', via: 'lti' }),
    ]);
    // The same person is one user on every launch; the email of an existing account is not taken over.
    expect(await t.ctx.app.prisma.ltiUser.count({ where: { sub: 'person-7' } })).toBe(1);
    const local = await createUser(t.ctx.app);
    const r = await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'person-8', roles: [ROLE.learner], email: local.email }) });
    const s8 = await handoff(t, r.location);
    expect(s8.userId).not.toBe(local.id);
    expect((await t.ctx.app.prisma.user.findUniqueOrThrow({ where: { id: s8.userId } })).email).toMatch(/@lti\.invalid$/);
  });
});
