/**
 * The e2e harness: the real service (built web app included) listening on a local port over a
 * real database (PostgreSQL when TEST_DATABASE_URL is set, else PGlite), and Debian's chromium
 * driven by playwright-core. Pages are checked with axe-core and photographed at a laptop and
 * a phone width into test/e2e/screenshots/ (ignored by git; look at them).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { syncCatalogue } from '../../src/catalogue/sync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testConfig } from '../helpers/app.js';

export const SCREENSHOTS = resolve(import.meta.dirname, 'screenshots');
export const WEB_DIST = resolve(import.meta.dirname, '../../web/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Service {
  app: FastifyInstance;
  tdb: TestDatabase;
  url: string;
  close(): Promise<void>;
}

/** The service on 127.0.0.1 with the real clock and the built-in catalogue. */
export async function startService(): Promise<Service> {
  const tdb = await createTestDatabase();
  const config = testConfig({ WEB_DIST_DIR: WEB_DIST, RATE_LIMIT_MAX: '100000', LOGIN_RATE_LIMIT_MAX: '1000', REGISTER_RATE_LIMIT_MAX: '1000' });
  const app = await buildApp({ config, db: tdb.db, logger: false });
  await syncCatalogue(app.prisma, 'problems');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    app,
    tdb,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newContext(
  browser: Browser,
  baseURL: string,
  opts: { phone?: boolean; storageState?: Awaited<ReturnType<BrowserContext['storageState']>> } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    ...(opts.storageState ? { storageState: opts.storageState } : {}),
    baseURL,
    viewport: opts.phone ? { width: 375, height: 740 } : { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
}

/** Every page visited is checked: no serious or critical axe violation (WCAG 2.1 A/AA rules). */
export async function checkA11y(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe on ${name}`).toEqual([]);
  visited.add(name);
}

export const visited = new Set<string>();

/** A full-page screenshot at the page's width, and the same page at 375 px. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}-laptop.png`), fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  // Nothing may overflow sideways on a phone: the page scrolls down, not across.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const culprits =
    overflow > 1
      ? await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            // not inside a box that scrolls or clips it
            .filter((el) => {
              for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                if (getComputedStyle(up).overflowX !== 'visible') return false;
              }
              return true;
            })
            .slice(-5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').slice(0, 40)}"`),
        )
      : [];
  expect(overflow, `${name} is wider than a phone: ${culprits.join('; ')}`).toBeLessThanOrEqual(1);
  await page.setViewportSize(size);
}

/** Both checks at once, for each page the suite visits. */
export async function look(page: Page, name: string): Promise<void> {
  await checkA11y(page, name);
  await shoot(page, name);
}

/**
 * Records the scripts and stylesheets a page downloads; `gzipBytes()` sums their gzipped sizes
 * (gzip -9 of the built files, the size the .gz the server sends has), fonts left out.
 */
export function recordCode(page: Page): { paths: string[]; gzipBytes(): number } {
  const paths: string[] = [];
  page.on('response', (r) => {
    const type = r.request().resourceType();
    if (type === 'script' || type === 'stylesheet') paths.push(new URL(r.url()).pathname);
  });
  return {
    paths,
    gzipBytes: () => paths.reduce((n, p) => n + gzipSync(readFileSync(resolve(WEB_DIST, `.${p}`)), { level: 9 }).length, 0),
  };
}
