/**
 * LTI 1.3 in a browser: a test platform on another site (http://127.0.0.1:…) shows a course
 * page that iframes the tool (http://localhost:…); the tool's login → the platform's auth → the
 * form-posted launch → the exam renders inside the iframe, signed in (no third-party cookie
 * needed), and a reload of the iframe mid-attempt resumes the session (its partitioned cookie). An instructor's deep-linking launch in the iframe picks an exam and returns to the
 * platform. The administrators' LTI page adds a platform by hand. axe and screenshots throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, look, newContext, startService, type Service } from './harness.js';
import { seedWorld, type World } from './fixtures.js';
import { createUser, type TestUser } from '../helpers/app.js';
import { TestPlatform } from '../lti/platform.js';
import { ROLE } from '../lti/harness.js';
import { press, tabTo, typeInto } from './keyboard.js';

let svc: Service;
let browser: Browser;
let world: World;
let platform: TestPlatform;
let tool = '';
let admin: TestUser;

beforeAll(async () => {
  svc = await startService();
  world = await seedWorld(svc.app);
  tool = svc.url.replace('127.0.0.1', 'localhost');
  platform = await new TestPlatform().start();
  platform.setTool(tool);
  const reg = await svc.app.lti.registrations.create({
    issuer: platform.issuer,
    clientId: platform.clientId,
    deploymentIds: [platform.deploymentId],
    authLoginUrl: `${platform.origin}/auth`,
    tokenUrl: platform.tokenUrl,
    jwksUrl: `${platform.origin}/jwks`,
  });
  // The platform's course is the seeded course.
  await svc.app.prisma.ltiContext.create({
    data: { issuer: platform.issuer, contextId: 'course-1', registrationId: reg.id, courseId: world.course.id, title: 'LMS course-1' },
  });
  admin = await createUser(svc.app, { admin: true, name: 'Ada Admin' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.close();
  await svc?.close();
});

function loginUrl(hint: string): string {
  const q = new URLSearchParams({
    iss: platform.issuer,
    login_hint: hint,
    target_link_uri: `${tool}/lti/launch`,
    client_id: platform.clientId,
    lti_deployment_id: platform.deploymentId,
  });
  return `${tool}/lti/login?${q}`;
}

/** Uncaught errors of each page (inside its frames too): none is expected. */
const pageErrors = new Map<Page, string[]>();

async function platformPage(hint: string): Promise<Page> {
  const page = await (await newContext(browser, platform.origin)).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  pageErrors.set(page, errors);
  await page.goto(`/course?${new URLSearchParams({ frame: loginUrl(hint) })}`);
  return page;
}

describe('LTI launch in an iframe', () => {
  it('a student launches from the platform: the exam page renders inside the iframe, signed in', async () => {
    platform.plans.set('student', {
      claims: platform.resourceLinkClaims({ sub: 'lms-student', name: 'Lou Learner', roles: [ROLE.learner], custom: { exam_id: world.examId } }),
    });
    const page = await platformPage('student');
    const frame = page.frameLocator('iframe[title="quizgrad activity"]');
    await frame.getByRole('heading', { name: 'Midterm practice exam' }).waitFor({ timeout: 20_000 });
    await frame.getByRole('button', { name: 'Start the exam' }).waitFor();
    await frame.getByText('Lou Learner').waitFor();
    const inner = page.frames().find((f) => f.url().startsWith(tool));
    expect(inner?.url()).toBe(`${tool}/exams/${world.examId}`);
    await look(page, 'lti-launch-exam');
    // Takes the exam inside the iframe (the access token alone, no cookie) and finishes it.
    await frame.getByRole('button', { name: 'Start the exam' }).focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('heading', { name: /^Question 1:/ }).waitFor();
    // A reload inside the iframe (the page's memory gone) resumes the session from the
    // partitioned cookie and shows the attempt again.
    const attemptUrl = inner?.url() ?? '';
    expect(attemptUrl).toMatch(/\/attempts\//);
    await inner?.evaluate(() => location.reload());
    await frame.getByRole('heading', { name: /^Question 1:/ }).waitFor({ timeout: 20_000 });
    await frame.getByText('Lou Learner').waitFor();
    expect(
      page
        .frames()
        .find((f) => f.url().startsWith(tool))
        ?.url(),
    ).toBe(attemptUrl);
    await look(page, 'lti-reloaded-attempt');
    await frame.getByRole('button', { name: 'Finish the exam…' }).focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('dialog', { name: 'Finish the exam?' }).getByRole('button', { name: 'Finish now' }).focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('heading', { name: 'Result: Midterm practice exam' }).waitFor();
    await look(page, 'lti-launch-result');
    expect(pageErrors.get(page)).toEqual([]);
    // The dispatcher's round publishes the score to the platform.
    await svc.app.webhooks.runOnce();
    expect(platform.scores.at(-1)?.body).toMatchObject({ userId: 'lms-student', scoreGiven: 0, scoreMaximum: 12, gradingProgress: 'FullyGraded' });
    await page.context().close();
  });

  it('a page of the tool that is not an LTI page refuses to be framed', async () => {
    const page = await (await newContext(browser, platform.origin)).newPage();
    const refused: string[] = [];
    page.on('console', (m) => refused.push(m.text()));
    await page.goto(`/course?${new URLSearchParams({ frame: `${tool}/signin` })}`);
    await expect.poll(() => refused.some((t) => /frame-ancestors/.test(t))).toBe(true);
    await page.context().close();
  });

  it("an instructor's deep-linking launch picks an exam and returns to the platform", async () => {
    platform.plans.set('teacher', { claims: platform.deepLinkingClaims({ sub: 'lms-teacher', roles: [ROLE.instructor], data: 'dl-data' }) });
    const page = await platformPage('teacher');
    const frame = page.frameLocator('iframe[title="quizgrad activity"]');
    await frame.getByRole('heading', { name: 'Add an exam to the course' }).waitFor({ timeout: 20_000 });
    await frame.getByRole('radio', { name: /Midterm practice exam/ }).waitFor();
    await look(page, 'lti-deep-link-picker');
    await frame.getByRole('button', { name: 'Add to the course' }).focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('heading', { name: 'Content added' }).waitFor({ timeout: 20_000 });
    expect(platform.deepLinkResponses.at(-1)).toMatchObject({
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': 'dl-data',
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [expect.objectContaining({ custom: { exam_id: world.examId } })],
    });
    await page.context().close();
  });
});

describe('administrators', () => {
  it('add a platform by hand on the LTI page and see the tool URLs', async () => {
    const page = await (await newContext(browser, svc.url)).newPage();
    await page.goto('/signin');
    await typeInto(page, page.getByLabel('Email'), admin.email);
    await typeInto(page, page.getByLabel('Password'), admin.password);
    await page.keyboard.press('Enter');
    await press(page, page.getByRole('link', { name: 'LTI' }));
    await page.getByRole('heading', { name: 'LTI 1.3' }).waitFor();
    await page.getByText(`${svc.url}/lti/jwks`).waitFor();
    await typeInto(page, page.getByLabel('Issuer'), 'https://moodle.example.edu');
    await typeInto(page, page.getByLabel('Client id'), 'moodle-client');
    await typeInto(page, page.getByLabel('Deployment ids', { exact: true }), '1, 2');
    await typeInto(page, page.getByLabel('Authentication (OIDC auth) URL'), 'https://moodle.example.edu/mod/lti/auth.php');
    await typeInto(page, page.getByLabel('Access token URL'), 'https://moodle.example.edu/mod/lti/token.php');
    await typeInto(page, page.getByLabel('Platform keyset (JWKS) URL'), 'https://moodle.example.edu/mod/lti/certs.php');
    await press(page, page.getByRole('button', { name: 'Add the platform' }));
    await page.getByRole('cell', { name: 'moodle-client' }).waitFor();
    // A deployment added in Moodle later: the platform's list is replaced.
    await tabTo(page, page.getByLabel('Platform', { exact: true }));
    await page.getByLabel('Platform', { exact: true }).selectOption({ label: 'https://moodle.example.edu (moodle-client)' });
    await typeInto(page, page.getByLabel('New deployment ids'), '1, 2, 7');
    await press(page, page.getByRole('button', { name: 'Save the deployment ids' }));
    await page.getByRole('status').filter({ hasText: 'deployments 1, 2, 7' }).waitFor();
    await page.getByRole('row', { name: /moodle-client 1, 2, 7/ }).waitFor();
    await press(page, page.getByRole('button', { name: 'Make a registration URL' }));
    await page
      .getByRole('status')
      .filter({ hasText: /\/lti\/register\?invite=/ })
      .waitFor();
    await press(page, page.getByRole('button', { name: 'Rotate the signing key' }));
    await page.getByRole('button', { name: /^Retire key / }).waitFor();
    await look(page, 'lti-admin');
    await page.context().close();
  });
});
