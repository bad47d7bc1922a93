/**
 * The tool's keys and the pages' framing: after a rotation the platform verifies client
 * assertions signed by the new key, and the old kid stays in /lti/jwks until it is retired;
 * the app's pages may be framed by the registered platform's origin only, the password pages
 * stay frame-ancestors 'none'.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retireToolKey, rotateToolKey } from '../../src/lti/keys.js';
import { purgeExpiredLti } from '../../src/lti/purge.js';
import { SCOPE } from '../../src/lti/claims.js';
import { CONTENT_SECURITY_POLICY } from '../../src/plugins/web.js';
import { createUser, type TestUser } from '../helpers/app.js';
import { registerByHand, setupLti, type LtiTest } from './harness.js';

let t: LtiTest;
let admin: TestUser;
let dist: string;

beforeAll(async () => {
  // A stand-in build of the web app, so the SPA's pages are served whether or not web/dist is built.
  dist = mkdtempSync(join(tmpdir(), 'qg-lti-dist-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><html lang="en"><title>quizgrad</title><div id="app"></div></html>');
  t = await setupLti({ catalogue: false, env: { WEB_DIST_DIR: dist } });
  admin = await createUser(t.ctx.app, { admin: true });
  await registerByHand(t, admin.auth);
});
afterAll(async () => {
  await t?.close();
  rmSync(dist, { recursive: true, force: true });
});

const kids = async () => ((await (await fetch(`${t.tool}/lti/jwks`)).json()) as { keys: { kid: string; kty: string; alg: string; d?: string }[] }).keys;

describe('tool keys', () => {
  it('the JWKS lists public RSA keys only; a first key is made on first use', async () => {
    const keys = await kids();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0].d).toBeUndefined();
  });

  it('after a rotation the platform verifies assertions signed by the new key; the old kid stays listed until retired', async () => {
    const reg = await t.ctx.app.prisma.ltiRegistration.findFirstOrThrow();
    const [old] = await kids();
    await t.ctx.app.lti.tokens.token(reg, [SCOPE.score]);
    expect(t.platform.tokenRequests.at(-1)?.kid).toBe(old.kid);

    t.ctx.clock.now = new Date(Date.now() + 1000);
    const fresh = await rotateToolKey(t.ctx.app.prisma);
    expect((await kids()).map((k) => k.kid)).toEqual([fresh, old.kid]);
    // A new scope set: not cached, so a new assertion, signed by the new key, verified by the platform.
    await t.ctx.app.lti.tokens.token(reg, [SCOPE.lineItem]);
    expect(t.platform.tokenRequests.at(-1)?.kid).toBe(fresh);
    expect(t.platform.tokenFailures).toEqual([]);

    await retireToolKey(t.ctx.app.prisma, old.kid, t.ctx.app.now());
    expect((await kids()).map((k) => k.kid)).toEqual([fresh]);
  });

  it('administrators rotate and retire keys over the API', async () => {
    const list = async () =>
      (await t.ctx.app.inject({ method: 'GET', url: '/api/v1/lti/keys', headers: admin.auth })).json<{
        items: { kid: string; current: boolean; retiredAt: string | null }[];
      }>().items;
    const before = await list();
    const rotated = await t.ctx.app.inject({ method: 'POST', url: '/api/v1/lti/keys', headers: admin.auth });
    expect(rotated.statusCode).toBe(201);
    const after = rotated.json<{ items: { kid: string; current: boolean }[] }>().items;
    expect(after).toHaveLength(before.length + 1);
    expect(after[0].current).toBe(true);
    const previous = before.find((k) => k.current);
    expect((await kids()).map((k) => k.kid)).toContain(previous?.kid);
    const retired = await t.ctx.app.inject({ method: 'POST', url: `/api/v1/lti/keys/${previous?.kid}/retire`, headers: admin.auth });
    expect(retired.statusCode).toBe(200);
    expect((await kids()).map((k) => k.kid)).toEqual([after[0].kid]);
    expect((await t.ctx.app.inject({ method: 'POST', url: '/api/v1/lti/keys/nope/retire', headers: admin.auth })).statusCode).toBe(404);
  });

  it('tokens are cached per registration and scopes', async () => {
    const reg = await t.ctx.app.prisma.ltiRegistration.findFirstOrThrow();
    const n = t.platform.tokenRequests.length;
    const a = await t.ctx.app.lti.tokens.token(reg, [SCOPE.memberships]);
    const b = await t.ctx.app.lti.tokens.token(reg, [SCOPE.memberships]);
    expect(a).toBe(b);
    expect(t.platform.tokenRequests.length).toBe(n + 1);
  });
});

describe('one-time rows', () => {
  it('expired login states and nonces are purged an hour after they expire, live ones stay', async () => {
    const reg = await t.ctx.app.prisma.ltiRegistration.findFirstOrThrow();
    const now = new Date();
    await t.ctx.app.prisma.ltiLaunchState.createMany({
      data: [
        { state: 'old', nonce: 'n-old', registrationId: reg.id, expiresAt: new Date(now.getTime() - 2 * 3_600_000) },
        { state: 'live', nonce: 'n-live', registrationId: reg.id, expiresAt: new Date(now.getTime() + 600_000) },
      ],
    });
    await t.ctx.app.prisma.ltiUsedNonce.create({ data: { issuer: reg.issuer, nonce: 'n-old', expiresAt: new Date(now.getTime() - 2 * 3_600_000) } });
    expect(await purgeExpiredLti(t.ctx.app.prisma, now)).toBe(2);
    expect((await t.ctx.app.prisma.ltiLaunchState.findMany({ where: { state: { in: ['old', 'live'] } } })).map((s) => s.state)).toEqual(['live']);
  });
});

describe('frame-ancestors', () => {
  const csp = async (path: string) => (await fetch(`${t.tool}${path}`, { headers: { accept: 'text/html' } })).headers.get('content-security-policy') ?? '';

  it("the app's pages may be framed by the registered platform only (a reload in the iframe keeps working); the password pages by nobody", async () => {
    expect((await fetch(`${t.tool}/lti/session?code=x`, { headers: { accept: 'text/html' } })).status).toBe(200);
    for (const page of ['/lti/session?code=x&next=/exams/1', '/lti/deep-link/00000000-0000-4000-8000-000000000000', '/exams/x', '/attempts/y', '/']) {
      const policy = await csp(page);
      expect(policy, page).toContain(`frame-ancestors 'self' ${t.platform.origin}`);
      expect(policy).not.toContain("frame-ancestors 'none'");
      expect(policy).toContain("script-src 'self'");
    }
    for (const page of ['/signin', '/register', '/signin?next=/exams/x']) expect(await csp(page), page).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('the error page of a refused launch is frameable by the platform too', async () => {
    const res = await fetch(`${t.tool}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'state=nope&id_token=a.b.c',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${t.platform.origin}`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('a registration added or deleted changes the origins at once', async () => {
    const res = await t.ctx.app.inject({
      method: 'POST',
      url: '/api/v1/lti/registrations',
      headers: admin.auth,
      payload: {
        issuer: 'https://moodle.example.edu',
        clientId: 'abc',
        deploymentIds: ['1'],
        authLoginUrl: 'https://moodle.example.edu/mod/lti/auth.php',
        tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
        jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await t.ctx.app.lti.registrations.frameOrigins()).toContain('https://moodle.example.edu');
    const id = res.json<{ id: string }>().id;
    const patched = await t.ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/lti/registrations/${id}`,
      headers: admin.auth,
      payload: { deploymentIds: ['1', '7'], platformOrigins: ['https://lms.example.edu/some/path'] },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ deploymentIds: ['1', '7'], platformOrigins: ['https://lms.example.edu'] });
    expect(await t.ctx.app.lti.registrations.frameOrigins()).toContain('https://lms.example.edu');
    const del = await t.ctx.app.inject({ method: 'DELETE', url: `/api/v1/lti/registrations/${res.json<{ id: string }>().id}`, headers: admin.auth });
    expect(del.statusCode).toBe(204);
    expect(await t.ctx.app.lti.registrations.frameOrigins()).not.toContain('https://moodle.example.edu');
  });

  it('registrations are for administrators only', async () => {
    const u = await createUser(t.ctx.app);
    for (const [method, url] of [
      ['GET', '/api/v1/lti/registrations'],
      ['GET', '/api/v1/lti/tool'],
      ['POST', '/api/v1/lti/registration-invites'],
      ['DELETE', '/api/v1/lti/registrations/00000000-0000-4000-8000-000000000000'],
      ['PATCH', '/api/v1/lti/registrations/00000000-0000-4000-8000-000000000000'],
      ['GET', '/api/v1/lti/keys'],
      ['POST', '/api/v1/lti/keys'],
      ['POST', '/api/v1/lti/keys/x/retire'],
    ] as const) {
      const res = await t.ctx.app.inject({ method, url, headers: u.auth, ...(method === 'PATCH' ? { payload: {} } : {}) });
      expect(res.statusCode, url).toBe(403);
    }
    const tool = await t.ctx.app.inject({ method: 'GET', url: '/api/v1/lti/tool', headers: admin.auth });
    expect(tool.json()).toMatchObject({ jwksUrl: expect.stringMatching(/\/lti\/jwks$/), loginUrl: expect.stringMatching(/\/lti\/login$/) });
  });
});
