/**
 * Outbound requests to addresses others chose: with private addresses refused, a literal
 * loopback or private IP, a name that resolves to one (localhost), and IPv4-mapped IPv6 are
 * refused before anything is sent, and a webhook to such an address is a failed try with the
 * reason in its log; allowed (development, tests), the same receiver is reached. (No test
 * reaches a public address: this machine has no route to one.)
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress, outboundFetch } from '../../src/net/outbound.js';
import { createCourse, setupApp, type TestContext } from '../helpers/app.js';

let server: Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});
afterAll(() => server?.close());

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['::', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['not an ip', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s → %s', (ip, want) => expect(isPrivateAddress(ip)).toBe(want));
});

describe('outboundFetch', () => {
  it('refuses loopback by IP, by name and as mapped IPv6, and sends nothing', async () => {
    const refusing = outboundFetch(true);
    const before = hits;
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      await expect(refusing(url, { method: 'POST', body: 'x' }), url).rejects.toThrow(/private or loopback/);
    }
    expect(hits).toBe(before);
  });

  it('reaches the same receiver when private addresses are allowed', async () => {
    const res = await outboundFetch(false)(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
  });
});

describe('webhooks to a private address in production settings', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await setupApp({ catalogue: false, env: { OUTBOUND_PRIVATE_ADDRESSES: 'refuse' } });
  });
  afterAll(async () => ctx?.close());

  it('are failed tries with the reason logged, retried later, and never sent', async () => {
    const course = await createCourse(ctx.app);
    const endpoint = await ctx.app.prisma.webhookEndpoint.create({
      data: { courseId: course.id, url: `http://localhost:${port}/hook`, secret: 'whsec_x', events: ['roster.changed'] },
    });
    await ctx.app.prisma.outboxEvent.create({ data: { courseId: course.id, type: 'roster.changed', payload: {} } });
    const before = hits;
    await ctx.app.webhooks.runOnce();
    const d = await ctx.app.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(d).toMatchObject({ status: 'PENDING', attempts: 1, lastStatus: null });
    expect(d.lastError).toMatch(/refused: localhost \((127\.0\.0\.1|::1)\) is a private or loopback address/);
    expect(hits).toBe(before);
  });
});
