/** Serving the built browser app: caching, precompressed files, the page's security headers, the SPA fallback. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, REPO_ROOT } from '../../src/config.js';
import { CONTENT_SECURITY_POLICY } from '../../src/plugins/web.js';
import { setupApp, type TestContext } from '../helpers/app.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div></body></html>';
const JS = `export const answer = ${JSON.stringify('x'.repeat(4000))};\n`;

let dist: string;
let ctx: TestContext;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'qg-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  const js = join(dist, 'assets', 'app-abc123.js');
  writeFileSync(js, JS);
  writeFileSync(`${js}.br`, brotliCompressSync(JS));
  writeFileSync(`${js}.gz`, gzipSync(JS));
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, '.env'), 'SECRET=1');
  // Whatever a build holds, the service's paths are not served from it.
  mkdirSync(join(dist, 'api', 'v1'), { recursive: true });
  writeFileSync(join(dist, 'api', 'v1', 'nope'), 'SECRET=2');
  ctx = await setupApp({ catalogue: false, env: { WEB_DIST_DIR: dist, RATE_LIMIT_MAX: '3' } });
});
afterAll(async () => {
  await ctx?.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET') => ctx.app.inject({ method, url, headers });

function expectPage(res: Awaited<ReturnType<typeof get>>) {
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toBe('no-cache');
  expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('same-origin');
}

describe('the built app', () => {
  it('serves index.html at / and /index.html, revalidated every time, with a strict CSP', async () => {
    for (const url of ['/', '/index.html']) {
      const res = await get(url, { accept: 'text/html' });
      expectPage(res);
      expect(res.body).toBe(INDEX);
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; font-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
  });

  it('serves hashed assets as immutable for a year, precompressed by Accept-Encoding', async () => {
    const file = join(dist, 'assets', 'app-abc123.js');
    const cases: [string, string | undefined, Buffer][] = [
      ['br, gzip', 'br', readFileSync(`${file}.br`)],
      ['gzip, deflate', 'gzip', readFileSync(`${file}.gz`)],
      ['identity', undefined, readFileSync(file)],
    ];
    for (const [accept, encoding, bytes] of cases) {
      const res = await get('/assets/app-abc123.js', { 'accept-encoding': accept, accept: '*/*' });
      expect(res.statusCode, accept).toBe(200);
      expect(res.headers['content-encoding'], accept).toBe(encoding);
      expect(res.rawPayload.equals(bytes), accept).toBe(true);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('revalidates files without a hashed name', async () => {
    const res = await get('/favicon.svg');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers a browser navigating to an app path with index.html (GET and HEAD)', async () => {
    const res = await get('/exams/xyz', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expectPage(res);
    expect(res.body).toBe(INDEX);
    const head = await get('/courses/abc/practice?topic=cnn', { accept: 'text/html' }, 'HEAD');
    expectPage(head);
    expect(head.body).toBe('');
  });

  it('keeps the JSON 404 for the service paths, non-HTML requests, other methods and missing assets', async () => {
    const cases: [string, Record<string, string>, 'GET' | 'POST'][] = [
      ['/api/v1/nope', { accept: 'text/html' }, 'GET'],
      ['/api', { accept: 'text/html' }, 'GET'],
      ['/health/nope', { accept: 'text/html' }, 'GET'],
      ['/docs/nope/deeper', { accept: 'text/html' }, 'GET'],
      ['/exams/xyz', { accept: 'application/json' }, 'GET'],
      ['/exams/xyz', {}, 'GET'],
      ['/exams/xyz', { accept: 'text/html' }, 'POST'],
      ['/assets/missing-123.js', { accept: '*/*' }, 'GET'],
    ];
    for (const [url, headers, method] of cases) {
      const res = await get(url, headers, method);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers['content-type'], `${method} ${url}`).toMatch(/^application\/json/);
      expect(res.json<{ code: string }>().code, `${method} ${url}`).toBe('ROUTE_NOT_FOUND');
      expect(res.body).not.toContain('SECRET');
    }
  });

  it('sends no dotfiles and nothing outside the build', async () => {
    for (const url of ['/.env', '/assets/../../package.json', '/%2e%2e/package.json']) {
      const res = await get(url, { accept: '*/*' });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('SECRET=1');
      expect(res.body, url).not.toContain('"name": "quizgrad"');
    }
  });

  it('the app files do not spend the rate limit', async () => {
    for (let i = 0; i < 10; i++) expect((await get('/assets/app-abc123.js')).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await get('/exams/xyz', { accept: 'text/html' })).statusCode).toBe(200);
    // The API's limit still holds.
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await get('/api/v1/me')).statusCode);
    expect(codes).toContain(429);
  });
});

describe('without a build', () => {
  it('says at / how to build the app; other paths stay JSON 404s', async () => {
    const bare = await setupApp({ catalogue: false, env: { WEB_DIST_DIR: join(dist, 'no-such-dir') } });
    try {
      const res = await bare.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('npm run build:web');
      const spa = await bare.app.inject({ method: 'GET', url: '/exams/xyz', headers: { accept: 'text/html' } });
      expect(spa.statusCode).toBe(404);
      expect(spa.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
      expect((await bare.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('WEB_DIST_DIR defaults to web/dist of the repository and resolves relative paths from there', () => {
    expect(parseEnv({}).WEB_DIST_DIR).toBe(resolve(REPO_ROOT, 'web/dist'));
    expect(parseEnv({ WEB_DIST_DIR: 'build/app' }).WEB_DIST_DIR).toBe(resolve(REPO_ROOT, 'build/app'));
    expect(parseEnv({ WEB_DIST_DIR: '/srv/app' }).WEB_DIST_DIR).toBe('/srv/app');
    expect(REPO_ROOT).toBe(resolve(import.meta.dirname, '../..'));
  });
});
