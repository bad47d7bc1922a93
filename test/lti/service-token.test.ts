/**
 * The client-credentials token of a platform: asked for once however many deliveries want it at
 * the same moment, cached until a minute before it expires, then asked for again.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let server: Server;
let url = '';
let asked = 0;

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        asked++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: `token-${asked}`, token_type: 'Bearer', expires_in: 300 }));
      }, 30),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/token` : '';
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
});

describe('service tokens', () => {
  it('one request for concurrent callers, cached until shortly before expiry', async () => {
    const reg = await ctx.app.prisma.ltiRegistration.create({
      data: { issuer: 'https://lms.test', clientId: 'c', deploymentIds: ['d'], authLoginUrl: url, tokenUrl: url, jwksUrl: url, platformOrigins: [] },
    });
    const scopes = ['https://purl.imsglobal.org/spec/lti-ags/scope/score'];
    const got = await Promise.all(Array.from({ length: 20 }, () => ctx.app.lti.tokens.token(reg, scopes)));
    expect(new Set(got)).toEqual(new Set(['token-1']));
    expect(asked).toBe(1);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 200_000);
    expect(await ctx.app.lti.tokens.token(reg, scopes)).toBe('token-1');
    // 300 s tokens are used for 240 s.
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 41_000);
    expect(await ctx.app.lti.tokens.token(reg, scopes)).toBe('token-2');
    expect(asked).toBe(2);
  });
});
