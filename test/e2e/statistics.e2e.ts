/**
 * Learning from the answers, in the browser: a student answers the conv-output-size question
 * with the size's `+ 1` left out and is told exactly that (the named mistake's feedback); the
 * instructor then finds the mistake counted in the exam's statistics (charts with their data
 * tables), and downloads the course gradebook as CSV with the student's score in it. Axe and
 * screenshots on every page; the student's part with the keyboard only.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, look, newContext, startService, type Service } from './harness.js';
import { answersOf, seedWorld, type World } from './fixtures.js';
import { createUser } from '../helpers/app.js';
import { press, typeInto } from './keyboard.js';

let svc: Service;
let browser: Browser;
let world: World;
let attemptId = '';

beforeAll(async () => {
  svc = await startService();
  world = await seedWorld(svc.app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/signin');
  await typeInto(page, page.getByLabel('Email'), who.email);
  await typeInto(page, page.getByLabel('Password'), who.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'My courses' }).waitFor();
}

describe('named mistakes, statistics and the gradebook', () => {
  it('a student who leaves out the + 1 is told so', async () => {
    const page = await (await newContext(browser, svc.url)).newPage();
    await signIn(page, world.student);
    await page.goto(`/exams/${world.examId}`);
    await press(page, page.getByRole('button', { name: 'Start the exam' }));
    await page.getByLabel(/output width/).waitFor({ state: 'visible' });
    attemptId = page.url().split('/attempts/')[1];
    const q1 = await answersOf(svc.app, attemptId, 1);
    await typeInto(page, page.getByLabel(/output width/), String((q1.W2 as number) - 1));
    await typeInto(page, page.getByLabel(/output height/), String(q1.H2));
    await typeInto(page, page.getByLabel(/output depth/), String(q1.D2));
    await typeInto(page, page.getByLabel(/number of output activations/), String(q1.total));
    await press(page, page.getByRole('button', { name: 'Submit question 1 for grading' }));
    const feedback = page.locator('.feedback.incorrect').filter({ hasText: 'The formula ends with' });
    await feedback.waitFor();
    expect(await feedback.innerText()).toMatch(/counts the steps between filter positions, and the first position counts too/);
    await look(page, 'exam-named-mistake');
    await press(page, page.getByRole('button', { name: 'Finish the exam…' }));
    await press(page, page.getByRole('dialog', { name: 'Finish the exam?' }).getByRole('button', { name: 'Finish now' }));
    await expect.poll(async () => (await svc.app.prisma.attempt.findUniqueOrThrow({ where: { id: attemptId } })).status).toBe('FINISHED');
    await page.context().close();
  });

  it("the instructor finds the mistake counted in the exam's statistics", async () => {
    const page = await (await newContext(browser, svc.url)).newPage();
    await signIn(page, world.instructor);
    await page.goto(`/exams/${world.examId}/manage`);
    await press(page, page.getByRole('link', { name: 'Statistics' }));
    await page.getByRole('heading', { name: 'Statistics: Midterm practice exam' }).waitFor();
    await page.getByText('1 finished attempt by 1 student').waitFor();
    const figure = page.getByRole('figure', { name: 'Named mistakes in conv-output-size' });
    await figure.waitFor();
    const row = figure.getByRole('row', { name: 'W2: no_plus_one 1' });
    await row.waitFor();
    // The chart is a picture with a summary, and the same data is a table.
    expect(await figure.getByRole('img').getAttribute('aria-label')).toBe('Named mistakes: W2: no_plus_one 1 times');
    await page.getByRole('figure', { name: 'Attempts by score' }).waitFor();
    // One attempt: every parameter has one value, so there are no per-parameter charts yet.
    expect(await page.getByRole('figure', { name: /^Mean score by / }).count()).toBe(0);
    const parts = page.getByRole('table', { name: /Parts of conv-output-size/ });
    const w2 = parts.getByRole('row', { name: /^W2 1 0 %/ });
    await w2.waitFor();
    expect(await w2.innerText()).toContain(`${((await answersOf(svc.app, attemptId, 1)).W2 as number) - 1} (1×)`);
    await look(page, 'exam-statistics');

    // The same template across every exam of the course.
    await press(page, page.getByRole('link', { name: 'conv-output-size across every exam of the course' }));
    await page.getByRole('heading', { name: 'Statistics: Output volume of a convolutional layer' }).waitFor();
    await page.getByRole('figure', { name: 'Named mistakes in conv-output-size' }).getByRole('row', { name: 'W2: no_plus_one 1' }).waitFor();
    await look(page, 'template-statistics');
    await page.goBack();
    await page.getByRole('heading', { name: 'Statistics: Midterm practice exam' }).waitFor();

    await press(page, page.getByRole('link', { name: 'Course gradebook' }));
    await page.getByRole('heading', { name: 'Gradebook' }).waitFor();
    const table = page.getByRole('table', { name: 'Gradebook: students by exams' });
    const points = (await svc.app.prisma.attempt.findUniqueOrThrow({ where: { id: attemptId } })).points;
    await table.getByRole('row', { name: new RegExp(`^Sam Student ${world.student.email}`) }).waitFor();
    await look(page, 'gradebook');
    const download = page.waitForEvent('download');
    await press(page, page.getByRole('button', { name: 'Download the gradebook (CSV)' }));
    const csv = readFileSync(await (await download).path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Student,ID,SIS User ID,SIS Login ID,Section,Midterm practice exam');
    expect(lines[1]).toBe('Points Possible,,,,,12');
    expect(lines).toContain(`Sam Student,,,${world.student.email},,${Math.round(points * 100) / 100}`);
    await page.context().close();
  });

  it('the instructor adds a webhook receiver, sees its secret once, a delivery in the log, and sends it again', async () => {
    const got: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        got.push(String(req.headers['quizgrad-event-id']));
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const addr = receiver.address();
    const hookUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/lms` : '';
    const page = await (await newContext(browser, svc.url)).newPage();
    try {
      await signIn(page, world.instructor);
      await page.goto(`/courses/${world.course.id}`);
      await press(page, page.getByRole('link', { name: 'Webhooks' }));
      await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await typeInto(page, page.getByLabel('Receiver URL'), hookUrl);
      await press(page, page.getByRole('button', { name: 'Add the receiver' }));
      const secret = page.getByRole('status').filter({ hasText: 'shown only now' }).locator('code');
      await secret.waitFor();
      expect(await secret.innerText()).toMatch(/^whsec_/);
      await look(page, 'webhooks-added');
      // A roster change (a new student), delivered by the dispatcher.
      const extra = await createUser(svc.app);
      await svc.app.inject({
        method: 'POST',
        url: `/api/v1/courses/${world.course.id}/members`,
        headers: world.instructor.auth,
        payload: { email: extra.email, role: 'STUDENT' },
      });
      await svc.app.webhooks.runOnce();
      // That change, and the attempt the student finished above (every event type is checked by default).
      const roster = await svc.app.prisma.outboxEvent.findFirstOrThrow({
        where: { courseId: world.course.id, type: 'roster.changed' },
        orderBy: { seq: 'desc' },
      });
      expect(got.sort()).toEqual(
        [roster.id, (await svc.app.prisma.outboxEvent.findFirstOrThrow({ where: { courseId: world.course.id, type: 'attempt.finished' } })).id].sort(),
      );
      await page.reload();
      const log = page.getByRole('table', { name: `Deliveries to ${hookUrl}` });
      const delivered = log
        .getByRole('row')
        .filter({ hasText: /roster\.changed/ })
        .filter({ hasText: /delivered/ });
      await delivered.waitFor();
      expect(await delivered.getByRole('cell').allInnerTexts()).toContain('HTTP 200');
      // Each try is in the delivery's log.
      await press(page, log.locator('summary').filter({ hasText: 'the log of the tries of roster.changed' }));
      await log
        .getByRole('listitem')
        .filter({ hasText: /HTTP 200 \(\d+ ms\)/ })
        .first()
        .waitFor();
      await look(page, 'webhooks');
      await press(page, log.getByRole('button', { name: 'Send again roster.changed' }));
      await log
        .getByRole('row')
        .filter({ hasText: /roster\.changed/ })
        .filter({ hasText: /pending/ })
        .waitFor();
      await svc.app.webhooks.runOnce();
      expect(got).toHaveLength(3);
      expect(got[2]).toBe(roster.id);
    } finally {
      receiver.close();
      await page.context().close();
    }
  });

  it('an instructor makes an API key (shown once), the LMS uses it, and the instructor revokes it', async () => {
    const page = await (await newContext(browser, svc.url)).newPage();
    try {
      await signIn(page, world.instructor);
      await page.goto(`/courses/${world.course.id}`);
      await press(page, page.getByRole('link', { name: 'API keys' }));
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      await look(page, 'api-keys-empty');
      await typeInto(page, page.getByLabel('Name'), 'Canvas grades');
      await press(page, page.getByRole('checkbox', { name: /grades:read/ }), 'Space');
      await press(page, page.getByRole('button', { name: 'Create the key' }));
      const shown = page.getByRole('status').filter({ hasText: 'shown only now' }).locator('code');
      await shown.waitFor();
      const key = await shown.innerText();
      expect(key).toMatch(/^qgk_/);
      await look(page, 'api-keys-created');
      // The LMS reads the grades with it; the list then shows when it was used.
      const grades = await svc.app.inject({ method: 'GET', url: `/api/v1/courses/${world.course.id}/grades`, headers: { authorization: `Bearer ${key}` } });
      expect(grades.statusCode).toBe(200);
      await page.reload();
      const table = page.getByRole('table', { name: 'API keys of the course' });
      const row = table.getByRole('row', { name: /Canvas grades/ });
      await row.waitFor();
      expect(await row.innerText()).not.toContain('never\tnever');
      expect(await row.innerText()).not.toContain(key.slice(12));
      await press(page, page.getByRole('button', { name: 'Revoke Canvas grades' }));
      await table.getByRole('row', { name: /Canvas grades .* revoked/ }).waitFor();
      await look(page, 'api-keys-revoked');
      const after = await svc.app.inject({ method: 'GET', url: `/api/v1/courses/${world.course.id}/grades`, headers: { authorization: `Bearer ${key}` } });
      expect(after.statusCode).toBe(401);
    } finally {
      await page.context().close();
    }
  });
});
