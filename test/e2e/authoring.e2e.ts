/**
 * Course templates in the browser: an instructor writes a template with an error in it, sees
 * the error at its line (gutter, list, aria-invalid), jumps there from the list and fixes it
 * with the keyboard, creates the template, is refused publishing without a self-test, runs
 * the self-test (its progress shown while the server works; streamed progress is read too),
 * publishes, and puts it in an exam through the exam builder; a student takes that exam and
 * gets the course template's question graded correct. Then a built-in is copied into the
 * course from its preview, edited into a second version and the two versions are diffed; the
 * templates are downloaded and a bundle imported (a broken one first, its error named by
 * document). Axe and screenshots on every page.
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
let examId = '';

const SLUG = 'pool-width-course';
const GOOD = `id: ${SLUG}
title: Pooling width (course)
topic: cnn
tags: [cnn, pooling]
difficulty: 1
params:
  W: { type: int, min: 6, max: 40 }
  F: { type: choice, values: [2, 3] }
  S: { type: choice, values: [1, 2] }
constraints:
  - { expr: "S <= F", message: "no skipped inputs" }
  - { expr: "mod(W - F, S) == 0", message: "whole output size" }
prompt: |
  A pooling window \${{ F }} \\times {{ F }}$ with stride $S = {{ S }}$ slides over an input of width $W = {{ W }}$.
answers:
  - id: W2
    label: 'output width $W_2$'
    type: integer
    expr: "poolOutputSize(W, F, S)"
solution: |
  $W_2 = ({{ W }} - {{ F }})/{{ S }} + 1 = {{ poolOutputSize(W, F, S) }}$.
`;
/** The answer's expression names a parameter the template does not have (line 19). */
const BAD = GOOD.replace('poolOutputSize(W, F, S)"', 'poolOutputSize(W, F, Q)"');
const BAD_LINE = 19;

/** The 1-based line the textarea's caret is on. */
const caretLine = (page: Page) =>
  page.getByLabel('Template YAML').evaluate((el) => {
    const ta = el as HTMLTextAreaElement;
    return ta.value.slice(0, ta.selectionStart).split('\n').length;
  });

beforeAll(async () => {
  svc = await startService();
  world = await seedWorld(svc.app);
  browser = await launchBrowser();
  page = await (await newContext(browser, svc.url)).newPage();
});

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

describe('course templates', () => {
  it('the instructor reaches the course templates from the course page', async () => {
    await page.goto('/signin');
    await typeInto(page, page.getByLabel('Email'), world.instructor.email);
    await typeInto(page, page.getByLabel('Password'), world.instructor.password);
    await page.keyboard.press('Enter');
    await press(page, page.getByRole('link', { name: `Course ${world.course.code}` }));
    await press(page, page.getByRole('link', { name: 'Course templates' }));
    await page.getByRole('heading', { name: 'Course templates', level: 1 }).waitFor();
    await page.getByText('No course templates yet').waitFor();
    await look(page, 'course-templates-empty');
  });

  it('writes a template with an error, sees it at its line as it types, jumps there and fixes it', async () => {
    await press(page, page.getByRole('link', { name: 'New template' }));
    await page.getByRole('heading', { name: 'New template' }).waitFor();
    const yaml = page.getByLabel('Template YAML');
    await tabTo(page, yaml);
    // The starting text is a working template.
    await page.getByText('No errors.', { exact: true }).waitFor();
    await yaml.fill(BAD);
    const issue = page.getByRole('button', { name: new RegExp(`^(✕ )?line ${BAD_LINE}(, column \\d+)?, answers\\.0\\.expr: .*unknown name 'Q'`) });
    await issue.waitFor();
    expect(await yaml.getAttribute('aria-invalid')).toBe('true');
    expect(await yaml.getAttribute('aria-describedby')).toContain('yaml-errors');
    await page.getByText(`1 error: the first at line ${BAD_LINE}.`).waitFor();
    expect(await page.locator(`.gutter [data-line="${BAD_LINE}"]`).getAttribute('class')).toContain('bad');
    expect(await page.locator('.gutter .bad').count()).toBe(1);
    await look(page, 'template-editor-error');

    // Enter on the issue puts the caret on its line (at the field), in the editor.
    await press(page, issue);
    await expect.poll(() => yaml.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await caretLine(page)).toBe(BAD_LINE);
    // The caret is at the error's column within the line; the line is retyped from its start.
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('    expr: "poolOutputSize(W, F, S)"');
    expect(await yaml.inputValue()).toBe(GOOD);
    // Indenting has its own keys (Tab moves focus); Enter keeps the line's indentation; Ctrl+Z undoes.
    const line19 = '    expr: "poolOutputSize(W, F, S)"';
    await page.keyboard.press('Control+]');
    expect(await yaml.inputValue()).toBe(GOOD.replace(line19, `  ${line19}`));
    await page.keyboard.press('Control+[');
    expect(await yaml.inputValue()).toBe(GOOD);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    expect(await yaml.inputValue()).toBe(GOOD.replace(line19, `${line19}\n    `));
    await page.keyboard.press('Control+z');
    expect(await yaml.inputValue()).toBe(GOOD);
    await page.getByText('No errors.', { exact: true }).waitFor();
    expect(await yaml.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('.gutter .bad').count()).toBe(0);
  });

  it('creates it, is told a self-test is needed, self-tests (progress while it runs) and publishes', async () => {
    await press(page, page.getByRole('button', { name: 'Create the template' }));
    await page.getByRole('heading', { name: 'Edit template: Pooling width (course)' }).waitFor();
    await page.getByRole('heading', { name: 'Preview of version 1' }).waitFor();
    await page.getByText(/^Correct answer:/).waitFor();
    await page.getByText(`${SLUG} · draft (v1, not published)`).waitFor();
    await look(page, 'template-editor-saved');

    await press(page, page.getByRole('button', { name: 'Publish version 1' }));
    await page.getByText(/has no self-test; run one that passes first/).waitFor();
    await page.getByText('(SELF_TEST_REQUIRED)').waitFor();

    // The self-test answers once: its request is held back here until the progress was seen.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/self-test', async (route) => {
      await held;
      await route.continue();
    });
    await press(page, page.getByRole('button', { name: 'Run the self-test' }));
    const progress = page.getByRole('progressbar', { name: /^Testing 100 variants of version 1/ });
    await progress.waitFor();
    expect(await page.getByRole('region', { name: 'Self-test of version 1' }).getAttribute('aria-busy')).toBe('true');
    await look(page, 'template-selftest-running');
    release();
    await page.getByText(/Passed: 0 failures in 100 variants/).waitFor();
    // The refusal to publish is gone with the passing self-test.
    await expect.poll(() => page.getByText('(SELF_TEST_REQUIRED)').count()).toBe(0);
    await page.unroute('**/self-test');
    expect(await progress.count()).toBe(0);
    await page.getByText(/^\d+ of 100 \(\d+ %\)$/).waitFor();
    await look(page, 'template-selftest-report');

    // A server that streams the self-test (JSON lines: progress, then the report): the page
    // reads the lines. The real run's report, sent here as such a server sends it.
    await page.route('**/self-test', async (route) => {
      expect(route.request().headers().accept).toContain('application/x-ndjson');
      const real = await route.fetch({ headers: { ...route.request().headers(), accept: 'application/json' } });
      const report = (await real.json()) as object;
      const lines = [
        { type: 'progress', done: 25, total: 50 },
        { type: 'progress', done: 50, total: 50 },
        { type: 'report', ...report },
      ];
      await route.fulfill({ status: 200, contentType: 'application/x-ndjson', body: lines.map((l) => `${JSON.stringify(l)}\n`).join('') });
    });
    const count = page.getByLabel('Variants to test');
    await tabTo(page, count);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('50');
    await press(page, page.getByRole('button', { name: 'Run the self-test' }));
    await page.getByText(/Passed: 0 failures in 50 variants/).waitFor();
    await page.unroute('**/self-test');

    await press(page, page.getByRole('button', { name: 'Publish version 1' }));
    await page.getByText('Version 1 is published: students get it from now on.').waitFor();
    await page.getByText(`${SLUG} · published v1`).waitFor();
    await look(page, 'template-published');
  });

  it('puts it in an exam through the exam builder (a pool by template id) and publishes the exam', async () => {
    await page.goto(`/courses/${world.course.id}/exams/new`);
    await page.getByRole('heading', { name: 'New exam' }).waitFor();
    await typeInto(page, page.getByLabel('Title', { exact: true }), 'Course template quiz');
    await tabTo(page, page.getByLabel('Draw from'));
    await page.getByLabel('Draw from').selectOption('templates');
    await typeInto(page, page.getByLabel('Template ids'), SLUG);
    await press(page, page.getByRole('button', { name: 'Create the draft' }));
    await page.getByRole('heading', { name: 'Course template quiz' }).waitFor();
    examId = new URL(page.url()).pathname.split('/')[2];
    await press(page, page.getByRole('button', { name: 'Publish' }));
    await page.getByRole('button', { name: 'Archive (no new attempts)' }).waitFor();
  });

  it("a student takes the exam and answers the course template's question correctly", async () => {
    const context = await newContext(browser, svc.url);
    const student = await context.newPage();
    await student.goto('/signin');
    await typeInto(student, student.getByLabel('Email'), world.student.email);
    await typeInto(student, student.getByLabel('Password'), world.student.password);
    await student.keyboard.press('Enter');
    await student.getByRole('heading', { name: 'My courses' }).waitFor();
    await student.goto(`/exams/${examId}`);
    await press(student, student.getByRole('button', { name: 'Start the exam' }));
    await student.getByRole('heading', { name: 'Question 1: Pooling width (course)' }).waitFor();
    const attemptId = student.url().split('/attempts/')[1];
    const q = await svc.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId, position: 1 } });
    expect(q.templateId).toBe(`${world.course.id}/${SLUG}`);
    const answers = await answersOf(svc.app, attemptId, 1);
    await typeInto(student, student.getByLabel(/output width/), String(answers.W2));
    await press(student, student.getByRole('button', { name: 'Submit question 1 for grading' }));
    await student.getByText(/^Correct/).waitFor();
    await student.getByText(/0 tries left · earned so far 1/).waitFor();
    await look(student, 'exam-course-template-graded');
    await context.close();
  });

  it('copies a built-in from its preview, saves a second version and reads the diff of the two', async () => {
    await page.goto(`/courses/${world.course.id}/catalogue`);
    await press(page, page.getByRole('link', { name: 'Output volume of a pooling layer' }));
    await page.getByRole('heading', { name: /^Preview: / }).waitFor();
    expect(await page.getByLabel('Id of the copy').inputValue()).toBe('pool-output-size');
    await look(page, 'preview-copy');
    await press(page, page.getByRole('button', { name: 'Copy into this course' }));
    await page.getByRole('heading', { name: 'Edit template: Output volume of a pooling layer' }).waitFor();
    const yaml = page.getByLabel('Template YAML');
    expect(await yaml.inputValue()).toBe(readFileSync('problems/cnn/pool-output-size.yaml', 'utf8'));
    // Line 2 is the title: select it with the keyboard and retype it.
    await tabTo(page, yaml);
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('title: Pooling layer output (our wording)');
    await page.getByText('Unsaved changes.').waitFor();
    await press(page, page.getByRole('button', { name: 'Save as a new version' }));
    await page.getByText('Saved as version 2 (a draft).').waitFor();
    await expect.poll(() => page.url()).toContain('?version=2');
    await page.getByRole('heading', { name: 'Preview of version 2' }).waitFor();
    await page.getByRole('heading', { name: 'Pooling layer output (our wording)', level: 3 }).waitFor();

    await press(page, page.getByRole('link', { name: 'Version history (2)' }));
    await page.getByRole('heading', { name: /^Version history: / }).waitFor();
    const diff = page.getByRole('region', { name: 'Changes from version 1 to version 2; scrolls sideways' });
    await diff.waitFor();
    await page.getByText('From version 1 to version 2: 1 line added (marked +), 1 removed (marked −).').waitFor();
    // Each changed line carries its sign as text, not colour alone.
    expect(await diff.locator('.dl.del .sign').allInnerTexts()).toEqual(['−']);
    expect(await diff.locator('.dl.add .sign').allInnerTexts()).toEqual(['+']);
    expect(await diff.locator('.dl.del').innerText()).toContain('title: Output volume of a pooling layer');
    expect(await diff.locator('.dl.add').innerText()).toContain('title: Pooling layer output (our wording)');
    await look(page, 'template-history-diff');

    await press(page, page.getByRole('link', { name: 'View version 1' }));
    await page.getByText('You are looking at version 1 of 2.', { exact: false }).waitFor();
    expect(await page.getByLabel('Template YAML').inputValue()).toContain('title: Output volume of a pooling layer');
  });

  it('keeps what is typed while a save is in flight', async () => {
    await page.goto(`/courses/${world.course.id}/authoring/pool-output-size`);
    const yaml = page.getByLabel('Template YAML');
    await page.getByText('The text of version 2.').waitFor();
    // Line 5 is the difficulty.
    await tabTo(page, yaml);
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('difficulty: 2');
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/versions', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await press(page, page.getByRole('button', { name: 'Save as a new version' }));
    await tabTo(page, yaml);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# typed while saving\n');
    release();
    await page.getByText('Saved as version 3 (a draft).').waitFor();
    await expect.poll(() => page.url()).toContain('?version=3');
    await page.unroute('**/versions');
    await page.getByText('Unsaved changes.').waitFor();
    const text = await yaml.inputValue();
    expect(text).toContain('difficulty: 2');
    expect(text.endsWith('# typed while saving\n')).toBe(true);
  });

  it('lists the templates with their states, downloads them, and imports a bundle (errors named by document)', async () => {
    await page.goto(`/courses/${world.course.id}/authoring`);
    const table = page.getByRole('table', { name: 'This course’s templates' });
    await table.waitFor();
    await table.getByRole('row', { name: /Pooling width \(course\).*published v1/ }).waitFor();
    await table.getByRole('row', { name: /Output volume of a pooling layer.*draft \(v3, not published\)/ }).waitFor();

    const download = page.waitForEvent('download');
    await press(page, page.getByRole('button', { name: 'Download all (YAML)' }));
    const bundle = readFileSync(await (await download).path(), 'utf8');
    expect(bundle).toContain(`id: ${SLUG}`);
    expect(bundle).toContain('title: Pooling layer output (our wording)');

    const paste = page.getByLabel('Or paste the templates');
    await tabTo(page, paste);
    await paste.fill('id: broken\ntitle: x\n');
    await press(page, page.getByRole('button', { name: 'Import' }));
    await page.getByText(/^Template 1 in the file: /).waitFor();
    expect(await paste.getAttribute('aria-invalid')).toBe('true');
    await look(page, 'course-templates-import-error');
    await paste.fill(GOOD.replace(`id: ${SLUG}`, 'id: imported-pool'));
    await press(page, page.getByRole('button', { name: 'Import' }));
    await page.getByText('imported-pool: created as a new template (version 1)').waitFor();
    await table.getByRole('link', { name: 'Pooling width (course)' }).nth(1).waitFor();
    await look(page, 'course-templates');
  });
});
