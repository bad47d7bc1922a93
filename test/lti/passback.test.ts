/**
 * The whole LTI flow against a test platform on loopback: dynamic registration → login →
 * launch (instructor, then students) → start and finish the exam over the API → the
 * dispatcher's round → the score arrives at the platform (AGS, with the tool's client
 * assertion verified against /lti/jwks); an override publishes a new score; a platform outage
 * is retried until it recovers; a second app on the same database delivers what the first did not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { toJson } from '../../src/db/json.js';
import { createUser, testConfig, type TestUser } from '../helpers/app.js';
import { handoff, launch, ROLE, setupLti, type LtiTest } from './harness.js';

let t: LtiTest;
let admin: TestUser;
let courseId = '';
let examId = '';
let teacher: { auth: { authorization: string }; userId: string; next: string };

beforeAll(async () => {
  t = await setupLti();
  admin = await createUser(t.ctx.app, { admin: true });
});
afterAll(async () => t?.close());

const api = (auth: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

async function right(attemptId: string, position: number) {
  const q = await t.ctx.app.prisma.attemptQuestion.findFirstOrThrow({
    where: { attemptId, position },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1 } },
  });
  const v = q.variants[0];
  return correctSubmission({ secret: { answers: v.answers, parts: v.parts } } as never);
}

/** A student's launch of the exam's link, one right answer of two, finished: the attempt id. */
async function studentTakesExam(sub: string): Promise<{ attemptId: string; userId: string }> {
  const r = await launch(t, { claims: t.platform.resourceLinkClaims({ sub, roles: [ROLE.learner], custom: { exam_id: examId } }) });
  expect(r.status, r.body).toBe(302);
  const s = await handoff(t, r.location);
  expect(s.next).toBe(`/exams/${examId}`);
  const started = await api(s.auth, 'POST', `/exams/${examId}/attempts`);
  expect(started.statusCode, started.body).toBe(201);
  const attemptId = started.json<{ id: string }>().id;
  const tried = await api(s.auth, 'POST', `/attempts/${attemptId}/questions/1/submissions`, { answers: await right(attemptId, 1) });
  expect(tried.statusCode, tried.body).toBe(201);
  expect((await api(s.auth, 'POST', `/attempts/${attemptId}/finish`)).statusCode).toBe(200);
  return { attemptId, userId: s.userId };
}

const round = async () => {
  t.ctx.clock.now = new Date();
  return t.ctx.app.webhooks.runOnce();
};

describe('LTI 1.3 launch and automatic grade passback', () => {
  it('registers dynamically: reads the openid-configuration, posts the tool configuration with the registration token, stores the client id and deployment', async () => {
    const invite = await api(admin.auth, 'POST', '/lti/registration-invites');
    expect(invite.statusCode, invite.body).toBe(201);
    const url = new URL(invite.json<{ url: string }>().url);
    expect(url.pathname).toBe('/lti/register');
    const q = new URLSearchParams({
      openid_configuration: `${t.platform.origin}/.well-known/openid-configuration`,
      registration_token: t.platform.registrationToken,
    });
    const res = await fetch(`${t.tool}/lti/register${url.search}&${q}`);
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect(body).toContain('<script src="/lti/close.js" defer></script>');
    expect(body).not.toMatch(/<script>/);
    expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${t.platform.origin}`);
    const close = await fetch(`${t.tool}/lti/close.js`);
    expect(close.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await close.text()).toContain("subject: 'org.imsglobal.lti.close'");

    const [sent] = t.platform.registrations;
    expect(sent).toMatchObject({
      client_name: 'quizgrad',
      initiate_login_uri: `${t.tool}/lti/login`,
      redirect_uris: [`${t.tool}/lti/launch`],
      jwks_uri: `${t.tool}/lti/jwks`,
      token_endpoint_auth_method: 'private_key_jwt',
      'https://purl.imsglobal.org/spec/lti-tool-configuration': {
        domain: new URL(t.tool).host,
        target_link_uri: `${t.tool}/lti/launch`,
        messages: expect.arrayContaining([expect.objectContaining({ type: 'LtiDeepLinkingRequest' })]),
      },
    });
    expect(String(sent.scope)).toContain('https://purl.imsglobal.org/spec/lti-ags/scope/score');
    expect(String(sent.scope)).toContain('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
    const regs = (await api(admin.auth, 'GET', '/lti/registrations')).json<{
      items: { issuer: string; clientId: string; deploymentIds: string[]; source: string }[];
    }>().items;
    expect(regs).toEqual([
      expect.objectContaining({ issuer: t.platform.issuer, clientId: t.platform.clientId, deploymentIds: [t.platform.deploymentId], source: 'dynamic' }),
    ]);
    // The invite is single use.
    const again = await fetch(`${t.tool}/lti/register${url.search}&${q}`, { headers: { accept: 'application/json' } });
    expect(again.status).toBe(401);
    expect((await again.json()).code).toBe('LTI_LAUNCH_REFUSED');
    // Its page for a browser names the refusal and may show in the frame of the (not registered) platform that is registering.
    const unregistered = t.platform.origin.replace('127.0.0.1', 'localhost');
    const other = new URLSearchParams({ openid_configuration: `${unregistered}/.well-known/openid-configuration`, registration_token: 'x' });
    const page = await fetch(`${t.tool}/lti/register${url.search}&${other}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('invite is unknown, used or expired');
    expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${t.platform.origin} ${unregistered}`);
  });

  it("an instructor's launch (login by POST) makes the course and enrols them as its instructor", async () => {
    const r = await launch(
      t,
      { claims: t.platform.resourceLinkClaims({ sub: 'teacher-1', roles: [ROLE.instructor], resourceLink: 'link-setup' }) },
      { loginMethod: 'POST' },
    );
    expect(r.status, r.body).toBe(302);
    teacher = await handoff(t, r.location);
    const ctxRow = await t.ctx.app.prisma.ltiContext.findFirstOrThrow({ where: { contextId: 'course-1' } });
    courseId = ctxRow.courseId;
    expect(teacher.next).toBe(`/courses/${courseId}`);
    const me = await api(teacher.auth, 'GET', `/courses/${courseId}`);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ title: 'LMS course-1', role: 'INSTRUCTOR' });
    // The login sent what OIDC asks for.
    const auth = t.platform.authRequests.at(-1);
    expect(auth?.get('lti_message_hint')).toBe('m1');
    expect(auth?.get('nonce')).toBeTruthy();
    const exam = await t.ctx.app.prisma.exam.create({
      data: {
        courseId,
        title: 'LTI midterm',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 2, points: 10, pool: { templates: ['conv-output-size', 'pool-output-size'] } }], policies: {} }),
      },
    });
    examId = exam.id;
  });

  it('a student finishes the exam: the score reaches the line item the tool made, with the AGS payload', async () => {
    const { userId } = await studentTakesExam('student-1');
    const m = await t.ctx.app.prisma.membership.findUniqueOrThrow({ where: { userId_courseId: { userId, courseId } } });
    expect(m.role).toBe('STUDENT');
    const r = await round();
    expect(r.scoresSent).toBe(1);
    expect(t.platform.scores).toHaveLength(1);
    const [s] = t.platform.scores;
    expect(s.contentType).toBe('application/vnd.ims.lis.v1.score+json');
    expect(s.body).toEqual({
      userId: 'student-1',
      scoreGiven: 10,
      scoreMaximum: 20,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    // The line item was made in the context's container, for this link.
    expect([...t.platform.lineItems.entries()]).toEqual([
      [s.lineItem, expect.objectContaining({ label: 'LTI midterm', scoreMaximum: 20, resourceLinkId: 'link-1' })],
    ]);
    // The token requests were signed by the tool's current key, and verified against /lti/jwks.
    const current = await t.ctx.app.prisma.ltiToolKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    expect(t.platform.tokenRequests.map((x) => x.kid)).toEqual(t.platform.tokenRequests.map(() => current.kid));
    expect(t.platform.tokenFailures).toEqual([]);
    expect((await round()).scoresSent).toBe(0);
  });

  it('a point override (score.changed) publishes the new score', async () => {
    const attempt = await t.ctx.app.prisma.attempt.findFirstOrThrow({ where: { examId, user: { ltiUsers: { some: { sub: 'student-1' } } } } });
    const o = await api(teacher.auth, 'POST', `/attempts/${attempt.id}/questions/2/override`, { points: 4.5, reason: 'partial working' });
    expect(o.statusCode, o.body).toBe(200);
    expect((await round()).scoresSent).toBe(1);
    const last = t.platform.scores.at(-1);
    expect(last?.body).toMatchObject({ userId: 'student-1', scoreGiven: 14.5, scoreMaximum: 20 });
    expect(Date.parse(String(last?.body.timestamp))).toBeGreaterThan(Date.parse(String(t.platform.scores[0].body.timestamp)));
  });

  it('a platform outage (500s) is retried with backoff until the score arrives', async () => {
    t.platform.down = true;
    await studentTakesExam('student-2');
    const before = t.platform.scores.length;
    expect((await round()).scoresSent).toBe(1);
    const row = await t.ctx.app.prisma.ltiScoreDelivery.findFirstOrThrow({ where: { ltiUser: { sub: 'student-2' } } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, lastStatus: 500 });
    // Not due again before its backoff.
    expect((await round()).scoresSent).toBe(0);
    t.platform.down = false;
    t.ctx.clock.now = new Date(Date.now() + 3600_000);
    expect((await t.ctx.app.webhooks.runOnce()).scoresSent).toBe(1);
    expect(t.platform.scores.length).toBe(before + 1);
    expect(t.platform.scores.at(-1)?.body).toMatchObject({ userId: 'student-2', scoreGiven: 10 });
    expect(await t.ctx.app.prisma.ltiScoreDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('a restart between the finish and the delivery: a second app on the same database delivers it', async () => {
    await studentTakesExam('student-3');
    const before = t.platform.scores.length;
    const second = await buildApp({ config: testConfig(), db: t.ctx.tdb.db, logger: false });
    try {
      expect((await second.webhooks.runOnce()).scoresSent).toBe(1);
    } finally {
      await second.close();
    }
    expect(t.platform.scores.length).toBe(before + 1);
    expect(t.platform.scores.at(-1)?.body).toMatchObject({ userId: 'student-3' });
    expect((await round()).scoresSent).toBe(0);
  });

  it('two dispatchers at once (two instances): each score is sent once', async () => {
    await studentTakesExam('student-6');
    await studentTakesExam('student-7');
    const before = t.platform.scores.length;
    const second = await buildApp({ config: testConfig(), db: t.ctx.tdb.db, logger: false });
    try {
      t.ctx.clock.now = new Date();
      const [a, b] = await Promise.all([t.ctx.app.webhooks.runOnce(), second.webhooks.runOnce()]);
      // Whichever fanned out, the other finds nothing to claim, or claims the deliveries the first did not.
      const extra = await second.webhooks.runOnce();
      expect(a.scoresSent + b.scoresSent + extra.scoresSent).toBe(2);
    } finally {
      await second.close();
    }
    const subs = t.platform.scores.slice(before).map((x) => x.body.userId);
    expect(subs.sort()).toEqual(['student-6', 'student-7']);
  });

  it("the score sent is the exam's score by its policy (best attempt): a worse second attempt publishes the best one again", async () => {
    const exam2 = await t.ctx.app.prisma.exam.create({
      data: {
        courseId,
        title: 'Two tries',
        status: 'PUBLISHED',
        blueprint: toJson({
          sections: [{ count: 2, points: 10, pool: { templates: ['conv-output-size', 'pool-output-size'] } }],
          policies: { maxAttempts: 2, scorePolicy: 'best' },
        }),
      },
    });
    const r = await launch(t, {
      claims: t.platform.resourceLinkClaims({ sub: 'student-5', roles: [ROLE.learner], resourceLink: 'link-best', custom: { exam_id: exam2.id } }),
    });
    const s = await handoff(t, r.location);
    const first = (await api(s.auth, 'POST', `/exams/${exam2.id}/attempts`)).json<{ id: string }>();
    expect((await api(s.auth, 'POST', `/attempts/${first.id}/questions/1/submissions`, { answers: await right(first.id, 1) })).statusCode).toBe(201);
    expect((await api(s.auth, 'POST', `/attempts/${first.id}/finish`)).statusCode).toBe(200);
    expect((await round()).scoresSent).toBe(1);
    expect(t.platform.scores.at(-1)?.body).toMatchObject({ userId: 'student-5', scoreGiven: 10, scoreMaximum: 20 });
    const second = (await api(s.auth, 'POST', `/exams/${exam2.id}/attempts`)).json<{ id: string }>();
    expect((await api(s.auth, 'POST', `/attempts/${second.id}/finish`)).statusCode).toBe(200);
    expect((await round()).scoresSent).toBe(1);
    expect(t.platform.scores.at(-1)?.body).toMatchObject({ userId: 'student-5', scoreGiven: 10, scoreMaximum: 20 });
  });

  it("a launch's own lineitem is used as is; an exam without an LTI link, or a user without an LTI identity, publishes nothing", async () => {
    const lineitem = `${t.platform.origin}/contexts/course-1/lineitems/given`;
    const r = await launch(t, {
      claims: t.platform.resourceLinkClaims({ sub: 'student-4', roles: [ROLE.learner], resourceLink: 'link-2', custom: { exam_id: examId }, lineitem }),
    });
    const s = await handoff(t, r.location);
    const a = (await api(s.auth, 'POST', `/exams/${examId}/attempts`)).json<{ id: string }>();
    expect((await api(s.auth, 'POST', `/attempts/${a.id}/finish`)).statusCode).toBe(200);
    // Two links open this exam: student-4 is on both (the same identity), so both line items get the score.
    expect((await round()).scoresSent).toBe(2);
    const mine = t.platform.scores.filter((x) => x.body.userId === 'student-4');
    expect(mine.map((x) => x.lineItem).sort()).toEqual([lineitem, [...t.platform.lineItems.keys()][0]].sort());
    // A local student (no LTI identity) finishing: no score delivery.
    const local = await createUser(t.ctx.app);
    await t.ctx.app.prisma.membership.create({ data: { userId: local.id, courseId, role: 'STUDENT' } });
    const la = (await api(local.auth, 'POST', `/exams/${examId}/attempts`)).json<{ id: string }>();
    expect((await api(local.auth, 'POST', `/attempts/${la.id}/finish`)).statusCode).toBe(200);
    expect(await round()).toMatchObject({ fannedOut: expect.any(Number), scoresSent: 0 });
    // Nor does the LTI instructor trying the exam out (platforms refuse grades for staff).
    const ta = (await api(teacher.auth, 'POST', `/exams/${examId}/attempts`)).json<{ id: string }>();
    expect((await api(teacher.auth, 'POST', `/attempts/${ta.id}/finish`)).statusCode).toBe(200);
    expect(await round()).toMatchObject({ fannedOut: 1, scoresSent: 0 });
  });
});
