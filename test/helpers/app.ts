/** Builds the real app on a real test database, plus shortcuts to create users and courses. */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseEnv, type Config } from '../../src/config.js';
import { syncCatalogue } from '../../src/catalogue/sync.js';
import type { Clock } from '../../src/plugins/services.js';
import type { CourseRole } from '../../src/authz/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PROBLEMS_DIR: 'problems', JWT_SECRET: TEST_SECRET, ...overrides });
  return { ...env, jwtSecret: TEST_SECRET };
}

export interface TestContext {
  app: FastifyInstance;
  tdb: TestDatabase;
  /** Move the server clock (for deadlines). */
  clock: { now: Date };
  close(): Promise<void>;
}

/** setupApp(): app + database + the built-in catalogue; call close() in afterAll. */
export async function setupApp(opts: { env?: Record<string, string>; catalogue?: boolean } = {}): Promise<TestContext> {
  const tdb = await createTestDatabase();
  const clock = { now: new Date() };
  const fixed: Clock = () => new Date(clock.now.getTime());
  const app = await buildApp({ config: testConfig(opts.env), db: tdb.db, clock: fixed, logger: false });
  if (opts.catalogue !== false) await syncCatalogue(app.prisma, 'problems');
  return {
    app,
    tdb,
    clock,
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: { authorization: string };
}

let hashed: { password: string; hash: string } | undefined;

/** createUser(app): a user with a known password and a valid access token. */
export async function createUser(app: FastifyInstance, opts: { admin?: boolean; name?: string } = {}): Promise<TestUser> {
  // Hashing once per file keeps argon2's deliberate slowness out of every test.
  hashed ??= { password: 'correct horse battery', hash: await hash('correct horse battery') };
  const email = `u${randomBytes(6).toString('hex')}@example.org`;
  const user = await app.prisma.user.create({
    data: { email, name: opts.name ?? 'Test User', passwordHash: hashed.hash, isAdmin: opts.admin ?? false },
  });
  const token = app.signAccessToken({ sub: user.id, adm: user.isAdmin });
  return { id: user.id, email, password: hashed.password, token, auth: { authorization: `Bearer ${token}` } };
}

/** createCourse(app, members): a course with the given members and roles. */
export async function createCourse(app: FastifyInstance, members: [TestUser, CourseRole][] = []): Promise<{ id: string; code: string }> {
  const code = `C${randomBytes(4).toString('hex')}`;
  const course = await app.prisma.course.create({ data: { title: `Course ${code}`, code } });
  for (const [u, role] of members) await app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role } });
  return { id: course.id, code };
}
