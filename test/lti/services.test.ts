/**
 * Names and Role Provisioning (an instructor pulls the roster, page by page) and Deep Linking
 * (an instructor picks an exam; the signed response is posted back and verified by the
 * platform with the tool's JWKS; the link's launches then open that exam).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { toJson } from '../../src/db/json.js';
import { createUser } from '../helpers/app.js';
import { formFields, handoff, launch, registerByHand, ROLE, setupLti, type LtiTest } from './harness.js';

let t: LtiTest;
let teacher: { auth: { authorization: string }; userId: string; next: string };
let courseId = '';

beforeAll(async () => {
  t = await setupLti({ catalogue: false });
  const admin = await createUser(t.ctx.app, { admin: true });
  await registerByHand(t, admin.auth);
  teacher = await handoff(t, (await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'teacher', roles: [ROLE.instructor] }) })).location);
  courseId = teacher.next.split('/')[2];
});
afterAll(async () => t?.close());

const api = (auth: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

describe('names and roles (NRPS)', () => {
  it('an instructor pulls the roster, following rel=next, and enrols each active member with their role', async () => {
    t.platform.members = [
      { user_id: 'teacher', roles: [ROLE.instructor], name: 'T' },
      { user_id: 'm1', roles: [ROLE.learner], name: 'Ada', email: 'ada@lms.example.org' },
      { user_id: 'm2', roles: [ROLE.learner], given_name: 'Bo', family_name: 'Li' } as never,
      { user_id: 'm3', roles: [ROLE.ta], name: 'Cy' },
      { user_id: 'm4', roles: [ROLE.learner], name: 'Gone', status: 'Inactive' },
      { user_id: 'm5', roles: [ROLE.admin], name: 'Admin' },
    ];
    const res = await api(teacher.auth, 'POST', `/courses/${courseId}/lti/roster-sync`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ members: 6, added: 3, changed: 0, unchanged: 1, skipped: 2 });
    const members = await t.ctx.app.prisma.membership.findMany({ where: { courseId }, include: { user: { include: { ltiUsers: true } } } });
    const bySub = Object.fromEntries(members.map((m) => [m.user.ltiUsers[0]?.sub, m.role]));
    expect(bySub).toEqual({ teacher: 'INSTRUCTOR', m1: 'STUDENT', m2: 'STUDENT', m3: 'TA' });
    expect(members.find((m) => m.user.ltiUsers[0]?.sub === 'm2')?.user.name).toBe('Bo Li');
    // Again, with a changed role: only that changes.
    t.platform.members[1] = { ...t.platform.members[1], roles: [ROLE.ta] };
    expect((await api(teacher.auth, 'POST', `/courses/${courseId}/lti/roster-sync`)).json()).toEqual({
      members: 6,
      added: 0,
      changed: 1,
      unchanged: 3,
      skipped: 2,
    });
  });

  it('a student may not pull it; a course without an LTI context cannot', async () => {
    const s = await handoff(t, (await launch(t, { claims: t.platform.resourceLinkClaims({ sub: 'm9', roles: [ROLE.learner] }) })).location);
    expect((await api(s.auth, 'POST', `/courses/${courseId}/lti/roster-sync`)).statusCode).toBe(403);
    const own = await createUser(t.ctx.app);
    const c = await t.ctx.app.prisma.course.create({ data: { title: 'Local', code: 'LOCAL-1' } });
    await t.ctx.app.prisma.membership.create({ data: { userId: own.id, courseId: c.id, role: 'INSTRUCTOR' } });
    const r = await api(own.auth, 'POST', `/courses/${c.id}/lti/roster-sync`);
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('LTI_NOT_AVAILABLE');
  });
});

describe('deep linking', () => {
  it('an instructor picks a published exam; the signed response returns to the platform; the link then opens that exam', async () => {
    const blueprint = toJson({ sections: [{ count: 1, points: 7, pool: { templates: ['conv-output-size'] } }], policies: {} });
    const exam = await t.ctx.app.prisma.exam.create({ data: { courseId, title: 'Quiz 1', status: 'PUBLISHED', blueprint } });
    await t.ctx.app.prisma.exam.create({ data: { courseId, title: 'Draft quiz', status: 'DRAFT', blueprint } });
    const r = await launch(t, { claims: t.platform.deepLinkingClaims({ sub: 'teacher', roles: [ROLE.instructor], data: 'opaque-123' }) });
    expect(r.status, r.body).toBe(302);
    const s = await handoff(t, r.location);
    const id = /^\/lti\/deep-link\/([0-9a-f-]+)$/.exec(s.next)?.[1] ?? '';
    const dl = await api(s.auth, 'GET', `/lti/deep-links/${id}`);
    expect(dl.statusCode, dl.body).toBe(200);
    expect(dl.json()).toMatchObject({ courseId, answered: false, exams: [{ id: exam.id, title: 'Quiz 1', maxPoints: 7 }] });
    // Someone else's deep link is not found.
    const other = await createUser(t.ctx.app);
    expect((await api(other.auth, 'GET', `/lti/deep-links/${id}`)).statusCode).toBe(404);

    // Over HTTP, as the web app calls it: the content item's URL is the tool's own origin.
    const answered = await fetch(`${t.tool}/api/v1/lti/deep-links/${id}/response`, {
      method: 'POST',
      headers: { ...s.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ examId: exam.id }),
    });
    expect(answered.status).toBe(200);
    const { url: returnPage } = (await answered.json()) as { url: string };
    const page = await fetch(`${t.tool}${returnPage}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`action="${t.platform.origin}/deep-link-return"`);
    expect(html).toContain('<script src="/lti/autosubmit.js" defer></script>');
    expect(html).not.toMatch(/<script>/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`form-action 'self' ${t.platform.origin}`);
    expect(csp).toContain(`frame-ancestors 'self' ${t.platform.origin}`);
    // The page is served once.
    expect((await fetch(`${t.tool}${returnPage}`)).status).toBe(401);

    const jwt = formFields(html).JWT;
    const back = await fetch(`${t.platform.origin}/deep-link-return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: jwt }),
    });
    expect(back.status).toBe(200);
    const claims = t.platform.deepLinkResponses.at(-1) ?? decodeJwt(jwt);
    expect(claims).toMatchObject({
      iss: t.platform.clientId,
      aud: t.platform.issuer,
      nonce: expect.any(String),
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiDeepLinkingResponse',
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': t.platform.deploymentId,
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': 'opaque-123',
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [
        {
          type: 'ltiResourceLink',
          title: 'Quiz 1',
          url: `${t.tool}/lti/launch`,
          custom: { exam_id: exam.id },
          lineItem: expect.objectContaining({ scoreMaximum: 7, label: 'Quiz 1' }),
        },
      ],
    });
    // Answered once only.
    expect((await api(s.auth, 'POST', `/lti/deep-links/${id}/response`, { examId: exam.id })).statusCode).toBe(409);

    // The platform's link launches with the custom claim: a student lands on the exam.
    const student = await launch(t, {
      claims: t.platform.resourceLinkClaims({ sub: 'm1', roles: [ROLE.learner], resourceLink: 'dl-link', custom: { exam_id: exam.id } }),
    });
    expect((await handoff(t, student.location)).next).toBe(`/exams/${exam.id}`);
    const link = await t.ctx.app.prisma.ltiResourceLink.findFirstOrThrow({ where: { resourceLinkId: 'dl-link' } });
    expect(link.examId).toBe(exam.id);
  });

  it('a student cannot deep-link; an exam of another course is refused', async () => {
    const r = await launch(t, { claims: t.platform.deepLinkingClaims({ sub: 'm1', roles: [ROLE.learner] }) });
    expect(r.status).toBe(403);
    const c = await t.ctx.app.prisma.course.create({ data: { title: 'Other', code: 'OTHER-1' } });
    const foreign = await t.ctx.app.prisma.exam.create({
      data: { courseId: c.id, title: 'X', status: 'PUBLISHED', blueprint: toJson({ sections: [], policies: {} }) },
    });
    const l = await launch(t, {
      claims: t.platform.resourceLinkClaims({ sub: 'm1', roles: [ROLE.learner], resourceLink: 'bad', custom: { exam_id: foreign.id } }),
    });
    expect(l.status).toBe(409);
  });
});
