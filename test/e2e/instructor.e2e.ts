/**
 * An instructor's path: the catalogue, a template preview with a new seed, members and an
 * invite, an exam built and published through the form (a validation error shown at its
 * field first), a student's attempt, a point override, a regrade dry run then applied, and
 * the scores CSV downloaded and parsed. Keyboard only; axe and screenshots on every page.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, look, newContext, startService, type Service } from './harness.js';
import { answersOf, seedWorld, type World } from './fixtures.js';
import { press, tabTo, typeInto } from './keyboard.js';

let svc: Service;
let browser: Browser;
let world: World;
let page: Page;
let attemptId = '';

/** A finished attempt of the student, the matrix question answered 0.05 off (wrong within 1 %). */
async function studentAttempt(): Promise<void> {
  const auth = world.student.auth;
  const start = await svc.app.inject({ method: 'POST', url: `/api/v1/exams/${world.examId}/attempts`, headers: auth });
  attemptId = start.json<{ id: string }>().id;
  const q1 = await answersOf(svc.app, attemptId, 1);
  const q2 = await answersOf(svc.app, attemptId, 2);
  const off = (q2.xhat as number[][]).map((row) => row.map((x) => x + 0.05));
  for (const [position, answers] of [
    [1, { W2: q1.W2, H2: q1.H2, D2: q1.D2, total: q1.total }],
    [2, { xhat: off }],
  ] as const) {
    const r = await svc.app.inject({ method: 'PUT', url: `/api/v1/attempts/${attemptId}/questions/${position}/answers`, headers: auth, payload: { answers } });
    expect(r.statusCode).toBe(200);
  }
  const fin = await svc.app.inject({ method: 'POST', url: `/api/v1/attempts/${attemptId}/finish`, headers: auth });
  expect(fin.statusCode).toBe(200);
}

beforeAll(async () => {
  svc = await startService();
  world = await seedWorld(svc.app);
  await studentAttempt();
  browser = await launchBrowser();
  page = await (await newContext(browser, svc.url)).newPage();
});

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

describe('instructor', () => {
  it('signs in and opens the course', async () => {
    await page.goto('/signin');
    await typeInto(page, page.getByLabel('Email'), world.instructor.email);
    await typeInto(page, page.getByLabel('Password'), world.instructor.password);
    await page.keyboard.press('Enter');
    await press(page, page.getByRole('link', { name: `Course ${world.course.code}` }));
    await page.getByRole('link', { name: 'Catalogue' }).waitFor();
    await look(page, 'course-staff');
  });

  it('previews a template and draws a new seed', async () => {
    await press(page, page.getByRole('link', { name: 'Catalogue' }));
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    await look(page, 'catalogue');
    await press(page, page.getByRole('link', { name: 'Output volume of a convolutional layer' }));
    await page.getByRole('heading', { name: /^Preview: / }).waitFor();
    const seed1 = await page.getByLabel('Seed', { exact: true }).inputValue();
    expect(await page.getByText(/^Correct answer:/).count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Solution' }).waitFor();
    await look(page, 'preview');
    await press(page, page.getByRole('button', { name: 'New seed' }));
    await expect.poll(() => page.getByLabel('Seed', { exact: true }).inputValue()).not.toBe(seed1);
    await expect.poll(() => page.url()).toContain(`seed=${await page.getByLabel('Seed', { exact: true }).inputValue()}`);
  });

  it('creates an invite code on the members page', async () => {
    await page.goto(`/courses/${world.course.id}/members`);
    await page.getByRole('heading', { name: 'Members and invites' }).waitFor();
    await page.getByRole('cell', { name: world.student.email }).waitFor();
    await press(page, page.getByRole('button', { name: 'Create invite code' }));
    await page
      .getByRole('button', { name: /^Revoke / })
      .first()
      .waitFor();
    await look(page, 'members');
  });

  it('builds an exam with the form: the API error is shown at its field, then it is published', async () => {
    await page.goto(`/courses/${world.course.id}/exams/new`);
    await page.getByRole('heading', { name: 'New exam' }).waitFor();
    await typeInto(page, page.getByLabel('Title', { exact: true }), 'Quiz on convolutions');
    await tabTo(page, page.getByLabel('Topic'));
    await page.getByLabel('Topic').selectOption('cnn'); // a select takes its option from the keyboard too; selectOption is the same change
    const count = page.getByLabel('Questions drawn');
    await tabTo(page, count);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await press(page, page.getByRole('button', { name: 'Create the draft' }));
    await expect.poll(() => count.getAttribute('aria-invalid')).toBe('true');
    await page.getByText(/field\(s\) need attention/).waitFor();
    await look(page, 'exam-builder-error');
    await tabTo(page, count);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await press(page, page.getByRole('button', { name: 'Create the draft' }));
    await page.getByRole('heading', { name: 'Quiz on convolutions' }).waitFor();
    await press(page, page.getByRole('button', { name: 'Publish' }));
    await page.getByRole('button', { name: 'Archive (no new attempts)' }).waitFor();
    await look(page, 'exam-manage-published');
  });

  it("sees the student's attempt and overrides a question's points with a reason", async () => {
    await page.goto(`/exams/${world.examId}/manage`);
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await look(page, 'exam-manage');
    await press(page, page.getByRole('link', { name: 'Attempt 1 of Sam Student' }));
    await page.getByRole('heading', { name: /^Review: / }).waitFor();
    await look(page, 'attempt-review');
    await typeInto(page, page.getByLabel('Points for question 3 (empty: back to graded)'), '1');
    await typeInto(page, page.getByLabel('Reason').nth(2), 'Answered on paper during an outage');
    await press(page, page.getByRole('button', { name: 'Override points' }).nth(2));
    await page.getByText(/Answered on paper during an outage/).waitFor();
  });

  it('regrades as a dry run, reads the before/after table, then applies it', async () => {
    await page.goto(`/exams/${world.examId}/manage`);
    await page.getByRole('heading', { name: 'Regrade' }).waitFor();
    await typeInto(page, page.getByLabel('Template id (empty: every template)'), 'batchnorm-forward-matrix');
    await tabTo(page, page.getByLabel('New tolerance'));
    await page.getByLabel('New tolerance').selectOption('absolute');
    await typeInto(page, page.getByLabel('Tolerance value (empty: unchanged)'), '0.1');
    await press(page, page.getByRole('button', { name: 'Dry run' }));
    const table = page.getByRole('table', { name: 'What the regrade would change' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(2);
    await look(page, 'regrade-dry-run');
    const before = await svc.app.prisma.attempt.findUniqueOrThrow({ where: { id: attemptId } });
    await press(page, page.getByRole('button', { name: 'Apply this regrade' }));
    await page.getByRole('table', { name: 'What the regrade changed' }).waitFor();
    const after = await svc.app.prisma.attempt.findUniqueOrThrow({ where: { id: attemptId } });
    expect(JSON.stringify(after)).not.toBe(JSON.stringify(before));
  });

  it('downloads the scores CSV and it parses, with the student in it', async () => {
    const download = page.waitForEvent('download');
    await press(page, page.getByRole('button', { name: 'Download scores CSV (Canvas)' }));
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^Student,ID,SIS User ID,SIS Login ID,Section,/);
    expect(lines[1]).toMatch(/^Points Possible,/);
    expect(lines.some((l) => l.includes(world.student.email))).toBe(true);
  });
});
