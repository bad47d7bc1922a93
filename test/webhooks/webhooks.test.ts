/**
 * Webhooks from the outbox, against a receiver on loopback: the signed payload (checked by the
 * README's verifySignature and, independently, by this receiver's own HMAC), a receiver that
 * fails and then recovers, a restart between the change and the delivery (a second app on the
 * same database delivers what the first never sent), two dispatchers at once (each event
 * arrives once), manual redelivery, and who may manage them.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { backoffSeconds, MAX_ATTEMPTS, WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { createCourse, createUser, setupApp, testConfig, type TestContext, type TestUser } from '../helpers/app.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let ctx: TestContext;
let teacher: TestUser;
let ta: TestUser;
let outsider: TestUser;
let course: { id: string };
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
/** What the receiver answers next (then 200). */
const failures: number[] = [];

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  teacher = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [ta, 'TA'],
  ]);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = failures.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const addr = receiver.address();
  receiverUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/hooks` : '';
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await ctx?.close();
});

const call = (u: TestUser, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload ? { payload } : {}) });

async function addStudent(): Promise<TestUser> {
  const u = await createUser(ctx.app);
  expect((await call(teacher, 'POST', `/courses/${course.id}/members`, { email: u.email, role: 'STUDENT' })).statusCode).toBe(201);
  return u;
}

/** The receiver's own check: HMAC-SHA256 over "<t>.<body>", written here without the service's code. */
function receiverAccepts(secret: string, r: Received): boolean {
  const header = String(r.headers['quizgrad-signature']);
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  return createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex') === m[2];
}

let secret = '';
let webhookId = '';

describe('webhooks', () => {
  it('instructors add a receiver and get its secret once; TAs, students and outsiders cannot', async () => {
    const bad = await call(teacher, 'POST', `/courses/${course.id}/webhooks`, { url: 'ftp://example.org/x', events: ['roster.changed'] });
    expect(bad.statusCode).toBe(400);
    expect((await call(ta, 'POST', `/courses/${course.id}/webhooks`, { url: receiverUrl, events: ['roster.changed'] })).statusCode).toBe(403);
    expect((await call(outsider, 'GET', `/courses/${course.id}/webhooks`)).statusCode).toBe(404);
    const res = await call(teacher, 'POST', `/courses/${course.id}/webhooks`, { url: receiverUrl, events: ['roster.changed'] });
    expect(res.statusCode).toBe(201);
    secret = res.json().secret;
    webhookId = res.json().id;
    expect(secret).toMatch(/^whsec_/);
    const list = (await call(teacher, 'GET', `/courses/${course.id}/webhooks`)).json();
    expect(list.items).toEqual([expect.objectContaining({ id: webhookId, url: receiverUrl, events: ['roster.changed'] })]);
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('delivers a roster change, signed, with its event id', async () => {
    received.length = 0;
    const u = await addStudent();
    expect(await ctx.app.webhooks.runOnce()).toEqual({ fannedOut: 1, sent: 1, scoresSent: 0 });
    expect(received).toHaveLength(1);
    const [r] = received;
    const body = JSON.parse(r.body) as { id: string; type: string; courseId: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'roster.changed', courseId: course.id, data: { change: 'added', userId: u.id, role: 'STUDENT', via: 'staff' } });
    expect(r.headers['quizgrad-event-id']).toBe(body.id);
    expect(r.headers['quizgrad-event-type']).toBe('roster.changed');
    expect(receiverAccepts(secret, r)).toBe(true);
    const t = Math.floor(ctx.clock.now.getTime() / 1000);
    expect(verifySignature(secret, r.body, String(r.headers['quizgrad-signature']), t)).toBe(true);
    expect(verifySignature(secret, `${r.body} `, String(r.headers['quizgrad-signature']), t)).toBe(false);
    expect(verifySignature('whsec_other', r.body, String(r.headers['quizgrad-signature']), t)).toBe(false);
    // A replay much later is refused by the timestamp.
    expect(verifySignature(secret, r.body, String(r.headers['quizgrad-signature']), t + 3600)).toBe(false);
    expect(await ctx.app.webhooks.runOnce()).toEqual({ fannedOut: 0, sent: 0, scoresSent: 0 });
  });

  it('a receiver that fails is retried with backoff until it recovers; the log shows each try', async () => {
    received.length = 0;
    failures.push(500, 503);
    await addStudent();
    await ctx.app.webhooks.runOnce();
    const deliveries = async () => (await call(teacher, 'GET', `/courses/${course.id}/webhooks/${webhookId}/deliveries`)).json().items;
    expect((await deliveries())[0]).toMatchObject({ status: 'PENDING', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
    // Not due yet: nothing is sent.
    expect((await ctx.app.webhooks.runOnce()).sent).toBe(0);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 3600_000);
    await ctx.app.webhooks.runOnce();
    expect((await deliveries())[0]).toMatchObject({ status: 'PENDING', attempts: 2, lastStatus: 503 });
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 3600_000);
    await ctx.app.webhooks.runOnce();
    const done = (await deliveries())[0];
    expect(done).toMatchObject({ status: 'DELIVERED', attempts: 3, lastStatus: 200, lastError: null });
    // The log has every try, newest first, each at the time it was sent.
    expect(done.tries.map((t: { status: number; error: string | null }) => [t.status, t.error])).toEqual([
      [200, null],
      [503, 'HTTP 503'],
      [500, 'HTTP 500'],
    ]);
    expect(done.tries[0].at).toBe(ctx.clock.now.toISOString());
    expect(new Date(done.tries[1].at).getTime()).toBe(ctx.clock.now.getTime() - 3600_000);
    for (const t of done.tries) expect(t.durationMs).toBeGreaterThanOrEqual(0);
    // The same event each time.
    expect(new Set(received.map((r) => r.headers['quizgrad-event-id'])).size).toBe(1);
    expect(received).toHaveLength(3);
  });

  it('a restart between the change and the delivery loses nothing: another app on the database delivers it', async () => {
    received.length = 0;
    const u = await addStudent();
    // "Restart": the first app never dispatches; a second one on the same database does.
    const second = await buildApp({ config: testConfig(), db: ctx.tdb.db, clock: () => ctx.clock.now, logger: false, ownsDb: false });
    try {
      expect(await second.webhooks.runOnce()).toEqual({ fannedOut: 1, sent: 1, scoresSent: 0 });
    } finally {
      await second.close();
    }
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({ data: { userId: u.id } });
  });

  it('two dispatchers at once send each event once', async () => {
    received.length = 0;
    for (let i = 0; i < 5; i++) await addStudent();
    const a = new WebhookDispatcher(ctx.app);
    const b = new WebhookDispatcher(ctx.app);
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    await Promise.all([a.runOnce(), b.runOnce()]);
    const ids = received.map((r) => r.headers['quizgrad-event-id']);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('a delivery can be sent again by hand (same event id); a disabled receiver gets nothing more', async () => {
    received.length = 0;
    const [last] = (await call(teacher, 'GET', `/courses/${course.id}/webhooks/${webhookId}/deliveries`)).json().items;
    const again = await call(teacher, 'POST', `/courses/${course.id}/webhooks/${webhookId}/deliveries/${last.id}/redeliver`);
    expect(again.json()).toMatchObject({ id: last.id, status: 'PENDING', attempts: 0 });
    const triesBefore = again.json().tries.length;
    await ctx.app.webhooks.runOnce();
    // The log keeps the earlier tries and adds the new one.
    const after = (await call(teacher, 'GET', `/courses/${course.id}/webhooks/${webhookId}/deliveries`))
      .json()
      .items.find((d: { id: string }) => d.id === last.id);
    expect(after.tries).toHaveLength(triesBefore + 1);
    expect(received.map((r) => r.headers['quizgrad-event-id'])).toEqual([last.eventId]);
    expect((await call(teacher, 'DELETE', `/courses/${course.id}/webhooks/${webhookId}`)).statusCode).toBe(204);
    received.length = 0;
    await addStudent();
    await ctx.app.webhooks.runOnce();
    expect(received).toEqual([]);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(backoffSeconds(1, () => 0)).toBe(3);
    expect(backoffSeconds(1, () => 1)).toBe(5);
    expect(backoffSeconds(4, () => 1)).toBe(40);
    expect(backoffSeconds(20, () => 1)).toBe(3600);
    const total = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => backoffSeconds(i + 1, () => 0)).reduce((s, x) => s + x, 0);
    // Even with the shortest jitter the tries span more than the hour a receiver may be down.
    expect(total).toBeGreaterThan(3600);
  });
});
