import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, MigrationError, readMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, MIGRATIONS_DIR, onPostgres, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => tdb?.drop());

/** Model names declared in prisma/schema.prisma. */
function schemaModels(): string[] {
  const schema = readFileSync(join(MIGRATIONS_DIR, '..', 'schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
}

describe('migrations', () => {
  it('are recorded in _prisma_migrations', async () => {
    const s = await tdb.db.session();
    try {
      const rows = await s.query<{ migration_name: string; finished_at: Date | null }>('SELECT migration_name, finished_at FROM "_prisma_migrations"');
      expect(rows.map((r) => r.migration_name)).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.name));
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
      // Running again applies nothing.
      expect(await migrate(s, MIGRATIONS_DIR)).toEqual([]);
    } finally {
      await s.release();
    }
  });

  it('let every model of the schema be written and read back', async () => {
    const p = tdb.db.prisma;
    const user = await p.user.create({ data: { email: 'm@example.org', name: 'M', passwordHash: 'h', isAdmin: true } });
    const course = await p.course.create({ data: { title: 'DL', code: 'DL-1' } });
    const membership = await p.membership.create({ data: { userId: user.id, courseId: course.id, role: 'INSTRUCTOR' } });
    const invite = await p.inviteCode.create({
      data: { code: 'ABCDEFGHJK', courseId: course.id, createdBy: user.id, maxUses: 3, expiresAt: new Date('2030-01-01') },
    });
    const template = await p.problemTemplate.create({
      data: { id: 'tpl', slug: 'tpl', title: 'T', topic: 'cnn', tags: ['a', 'b'], difficulty: 2, currentVersion: 1 },
    });
    const version = await p.templateVersion.create({
      data: { templateId: template.id, version: 1, hash: 'h1', content: { id: 'tpl', nested: [1, 2.5, 'x'] } },
    });
    const variant = await p.variant.create({
      data: {
        templateVersionId: version.id,
        userId: user.id,
        courseId: course.id,
        context: 'PRACTICE',
        seed: 2 ** 31 - 1,
        params: { W: [[1, 2]] },
        answers: { a: 0.1 },
        parts: [{ id: 'a' }],
        prompt: 'p',
        solution: 's',
      },
    });
    const submission = await p.submission.create({
      data: {
        variantId: variant.id,
        context: 'PRACTICE',
        userId: user.id,
        answers: { a: '0.1' },
        results: [{ id: 'a', score: 1 }],
        score: 1,
        points: 2,
        maxPoints: 2,
        idempotencyKey: 'k',
        requestHash: 'rh',
      },
    });
    const token = await p.refreshToken.create({ data: { userId: user.id, tokenHash: 'th', familyId: user.id, expiresAt: new Date('2030-01-01') } });
    const exam = await p.exam.create({
      data: { courseId: course.id, title: 'E', blueprint: { sections: [] }, status: 'PUBLISHED', publishedAt: new Date('2030-01-01') },
    });
    const examOverride = await p.examOverride.create({
      data: { examId: exam.id, userId: user.id, extraMinutes: 15, extraAttempts: 1, closesAt: new Date('2030-02-01') },
    });
    const attempt = await p.attempt.create({
      data: { examId: exam.id, userId: user.id, number: 1, startedAt: new Date('2030-01-01'), deadline: new Date('2030-01-01T01:00:00Z'), maxPoints: 10 },
    });
    const question = await p.attemptQuestion.create({
      data: { attemptId: attempt.id, position: 1, sectionIndex: 0, templateId: 'tpl', maxPoints: 10, savedAnswers: { a: '1' } },
    });
    const audit = await p.pointsOverrideAudit.create({
      data: { attemptQuestionId: question.id, byUserId: user.id, previousPoints: null, newPoints: 5, reason: 'r' },
    });
    const regrade = await p.regrade.create({ data: { examId: exam.id, byUserId: user.id, spec: { dryRun: false }, changes: [] } });
    const outboxEvent = await p.outboxEvent.create({ data: { courseId: course.id, type: 'roster.changed', payload: { change: 'added' } } });
    const webhook = await p.webhookEndpoint.create({ data: { courseId: course.id, url: 'https://example.org/hook', secret: 's', events: ['roster.changed'] } });
    const delivery = await p.webhookDelivery.create({ data: { eventId: outboxEvent.id, endpointId: webhook.id } });
    const ltiRegistration = await p.ltiRegistration.create({
      data: {
        issuer: 'https://lms.example.org',
        clientId: 'c1',
        deploymentIds: ['d1', 'd2'],
        authLoginUrl: 'https://lms.example.org/auth',
        tokenUrl: 'https://lms.example.org/token',
        jwksUrl: 'https://lms.example.org/jwks',
        platformOrigins: ['https://lms.example.org'],
      },
    });
    const ltiInvite = await p.ltiRegistrationInvite.create({ data: { tokenHash: 'ih', createdBy: user.id, expiresAt: new Date('2030-01-01') } });
    const ltiKey = await p.ltiToolKey.create({ data: { kid: 'k1', publicJwk: { kty: 'RSA', n: 'x', e: 'AQAB' }, privateJwk: { kty: 'RSA', d: 'y' } } });
    const ltiState = await p.ltiLaunchState.create({
      data: { state: 's1', nonce: 'n1', registrationId: ltiRegistration.id, expiresAt: new Date('2030-01-01') },
    });
    const ltiNonce = await p.ltiUsedNonce.create({ data: { issuer: 'https://lms.example.org', nonce: 'n1', expiresAt: new Date('2030-01-01') } });
    const ltiUser = await p.ltiUser.create({ data: { issuer: 'https://lms.example.org', sub: 'sub-1', userId: user.id } });
    const ltiContext = await p.ltiContext.create({
      data: {
        issuer: 'https://lms.example.org',
        contextId: 'ctx',
        registrationId: ltiRegistration.id,
        courseId: course.id,
        title: 'DL',
        membershipsUrl: 'https://lms.example.org/m',
      },
    });
    const ltiLink = await p.ltiResourceLink.create({
      data: {
        issuer: 'https://lms.example.org',
        resourceLinkId: 'rl',
        registrationId: ltiRegistration.id,
        contextId: ltiContext.id,
        examId: exam.id,
        lineItemUrl: 'https://lms.example.org/li/1',
      },
    });
    const ltiScore = await p.ltiScoreDelivery.create({ data: { eventId: outboxEvent.id, resourceLinkId: ltiLink.id, ltiUserId: ltiUser.id } });
    const ltiCode = await p.ltiLaunchCode.create({ data: { codeHash: 'ch', userId: user.id, expiresAt: new Date('2030-01-01') } });
    const ltiDeepLink = await p.ltiDeepLink.create({
      data: {
        registrationId: ltiRegistration.id,
        courseId: course.id,
        userId: user.id,
        deploymentId: 'd1',
        returnUrl: 'https://lms.example.org/dl',
        data: 'opaque',
        expiresAt: new Date('2030-01-01'),
      },
    });
    const formatError = await p.formatError.create({
      data: { variantId: variant.id, userId: user.id, attemptQuestionId: question.id, parts: ['loss', 'grad'] },
    });

    expect(await p.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);
    expect(await p.course.findUniqueOrThrow({ where: { id: course.id } })).toEqual(course);
    expect(await p.membership.findUniqueOrThrow({ where: { userId_courseId: { userId: user.id, courseId: course.id } } })).toEqual(membership);
    expect(await p.inviteCode.findUniqueOrThrow({ where: { code: invite.code } })).toEqual(invite);
    expect(await p.problemTemplate.findUniqueOrThrow({ where: { id: 'tpl' } })).toEqual(template);
    expect(await p.templateVersion.findUniqueOrThrow({ where: { id: version.id } })).toEqual(version);
    expect(await p.variant.findUniqueOrThrow({ where: { id: variant.id } })).toEqual(variant);
    expect(await p.submission.findUniqueOrThrow({ where: { id: submission.id } })).toEqual(submission);
    expect(await p.refreshToken.findUniqueOrThrow({ where: { id: token.id } })).toEqual(token);
    expect(await p.exam.findUniqueOrThrow({ where: { id: exam.id } })).toEqual(exam);
    expect(await p.examOverride.findUniqueOrThrow({ where: { examId_userId: { examId: exam.id, userId: user.id } } })).toEqual(examOverride);
    expect(await p.attempt.findUniqueOrThrow({ where: { id: attempt.id } })).toEqual(attempt);
    expect(await p.attemptQuestion.findUniqueOrThrow({ where: { id: question.id } })).toEqual(question);
    expect(await p.pointsOverrideAudit.findUniqueOrThrow({ where: { id: audit.id } })).toEqual(audit);
    expect(await p.regrade.findUniqueOrThrow({ where: { id: regrade.id } })).toEqual(regrade);
    expect(await p.formatError.findUniqueOrThrow({ where: { id: formatError.id } })).toEqual(formatError);
    expect(await p.outboxEvent.findUniqueOrThrow({ where: { id: outboxEvent.id } })).toEqual(outboxEvent);
    expect(await p.webhookEndpoint.findUniqueOrThrow({ where: { id: webhook.id } })).toEqual(webhook);
    expect(await p.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toEqual(delivery);
    const deliveryTry = await p.webhookDeliveryTry.create({
      data: { deliveryId: delivery.id, at: new Date(), status: 503, error: 'HTTP 503', durationMs: 12 },
    });
    expect(await p.webhookDeliveryTry.findUniqueOrThrow({ where: { id: deliveryTry.id } })).toEqual(deliveryTry);
    const apiKey = await p.apiKey.create({
      data: {
        courseId: course.id,
        name: 'LMS',
        prefix: 'qgk_abcdefgh',
        secretHash: 'h'.repeat(64),
        scopes: ['grades:read'],
        createdById: user.id,
        expiresAt: new Date(),
      },
    });
    expect(await p.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).toEqual(apiKey);
    const entry = await p.rosterEntry.create({
      data: { courseId: course.id, userId: user.id, role: 'STUDENT', syncedAt: new Date(), deactivatedAt: new Date() },
    });
    expect(await p.rosterEntry.findUniqueOrThrow({ where: { courseId_userId: { courseId: course.id, userId: user.id } } })).toEqual(entry);
    const linked = await p.user.update({ where: { id: user.id }, data: { lmsId: 'lms-1' } });
    expect(await p.user.findUniqueOrThrow({ where: { lmsId: 'lms-1' } })).toEqual(linked);
    expect(await p.ltiRegistration.findUniqueOrThrow({ where: { id: ltiRegistration.id } })).toEqual(ltiRegistration);
    expect(await p.ltiRegistrationInvite.findUniqueOrThrow({ where: { tokenHash: 'ih' } })).toEqual(ltiInvite);
    expect(await p.ltiToolKey.findUniqueOrThrow({ where: { kid: 'k1' } })).toEqual(ltiKey);
    expect(await p.ltiLaunchState.findUniqueOrThrow({ where: { state: 's1' } })).toEqual(ltiState);
    expect(await p.ltiUsedNonce.findUniqueOrThrow({ where: { issuer_nonce: { issuer: 'https://lms.example.org', nonce: 'n1' } } })).toEqual(ltiNonce);
    expect(await p.ltiUser.findUniqueOrThrow({ where: { id: ltiUser.id } })).toEqual(ltiUser);
    expect(await p.ltiContext.findUniqueOrThrow({ where: { id: ltiContext.id } })).toEqual(ltiContext);
    expect(await p.ltiResourceLink.findUniqueOrThrow({ where: { id: ltiLink.id } })).toEqual(ltiLink);
    expect(await p.ltiScoreDelivery.findUniqueOrThrow({ where: { id: ltiScore.id } })).toEqual(ltiScore);
    expect(await p.ltiLaunchCode.findUniqueOrThrow({ where: { codeHash: 'ch' } })).toEqual(ltiCode);
    expect(await p.ltiDeepLink.findUniqueOrThrow({ where: { id: ltiDeepLink.id } })).toEqual(ltiDeepLink);
    // Every model of the schema was exercised above.
    expect(schemaModels().sort()).toEqual([
      'ApiKey',
      'Attempt',
      'AttemptQuestion',
      'Course',
      'Exam',
      'ExamOverride',
      'FormatError',
      'InviteCode',
      'LtiContext',
      'LtiDeepLink',
      'LtiLaunchCode',
      'LtiLaunchState',
      'LtiRegistration',
      'LtiRegistrationInvite',
      'LtiResourceLink',
      'LtiScoreDelivery',
      'LtiToolKey',
      'LtiUsedNonce',
      'LtiUser',
      'Membership',
      'OutboxEvent',
      'PointsOverrideAudit',
      'ProblemTemplate',
      'RefreshToken',
      'Regrade',
      'RosterEntry',
      'Submission',
      'TemplateVersion',
      'User',
      'Variant',
      'WebhookDelivery',
      'WebhookDeliveryTry',
      'WebhookEndpoint',
    ]);
    // Only one open attempt per student and exam (the partial unique index of the exams migration).
    await expect(p.attempt.create({ data: { examId: exam.id, userId: user.id, number: 2, startedAt: new Date(), maxPoints: 1 } })).rejects.toMatchObject({
      code: 'P2002',
    });
  });

  it('enforce the uniqueness that exactly-once submission relies on', async () => {
    const p = tdb.db.prisma;
    const s = await p.submission.findFirstOrThrow();
    await expect(
      p.submission.create({
        data: {
          variantId: s.variantId,
          context: 'PRACTICE',
          userId: s.userId,
          tryNumber: 1,
          answers: {},
          results: [],
          score: 0,
          points: 0,
          maxPoints: 1,
          requestHash: 'x',
        },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
    const v = await p.variant.findFirstOrThrow();
    await expect(
      p.submission.create({
        data: {
          variantId: v.id,
          context: 'PRACTICE',
          userId: s.userId,
          tryNumber: 2,
          answers: {},
          results: [],
          score: 0,
          points: 0,
          maxPoints: 1,
          requestHash: 'x',
          idempotencyKey: 'k',
        },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('refuse a migration file changed after it was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qg-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const first = readMigrations(dir)[0];
    const file = join(dir, first.name, 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    const s = await tdb.db.session();
    try {
      await expect(migrate(s, dir)).rejects.toThrow(MigrationError);
      await expect(migrate(s, dir)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await s.release();
    }
  });

  it('roll back a failing migration completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qg-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, '29990101000000_broken'));
    writeFileSync(join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT no_such_function();\n');
    const s = await tdb.db.session();
    try {
      await expect(migrate(s, dir)).rejects.toThrow(/29990101000000_broken failed/);
      const half = await s.query<{ n: string }>(`SELECT count(*)::text AS n FROM information_schema.tables WHERE table_name = 'Half'`);
      expect(half[0]?.n).toBe('0');
      const recorded = await s.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', ['29990101000000_broken']);
      expect(recorded).toHaveLength(0);
    } finally {
      await s.release();
    }
  });

  it.runIf(onPostgres)('serialise concurrent migrators on an empty database with an advisory lock', async () => {
    const { pgSession } = await import('../../src/db/sql.js');
    const pg = (await import('pg')).default;
    const name = `qg_test_mig_${Date.now()}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = `/${name}`;
    try {
      const sessions = await Promise.all([1, 2, 3].map(() => pgSession(url.toString())));
      const results = await Promise.all(sessions.map((s) => migrate(s, MIGRATIONS_DIR)));
      const all = readMigrations(MIGRATIONS_DIR).map((m) => m.name);
      // Exactly one migrator applied everything; the others waited and found nothing to do.
      expect(results.filter((r) => r.length > 0)).toEqual([all]);
      expect(results.filter((r) => r.length === 0)).toHaveLength(2);
      await Promise.all(sessions.map((s) => s.release()));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
