import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TemplateVersions } from '../../src/catalogue/versions.js';
import { syncCatalogue } from '../../src/catalogue/sync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
const ID = 'conv-output-size';

beforeAll(async () => {
  tdb = await createTestDatabase();
  await syncCatalogue(tdb.db.prisma, 'problems');
});
afterAll(async () => tdb?.drop());

/** A new current version of the template, written as an edit would (content differs, so the hash does). */
async function newVersion(n: number): Promise<string> {
  const prisma = tdb.db.prisma;
  const v1 = await prisma.templateVersion.findFirstOrThrow({ where: { templateId: ID }, orderBy: { version: 'asc' } });
  const content = { ...(v1.content as Record<string, unknown>), title: `Conv output size, edit ${n}` };
  const row = await prisma.templateVersion.create({ data: { templateId: ID, version: v1.version + n, hash: `edit-${n}-${Date.now()}`, content } });
  await prisma.problemTemplate.update({ where: { id: ID }, data: { currentVersion: row.version } });
  return row.id;
}

describe('TemplateVersions.currentOf', () => {
  it('caches the current version, serves it stale while one background read checks, then switches', async () => {
    const versions = new TemplateVersions(tdb.db.prisma);
    const first = await versions.currentOf(ID);
    const edited = await newVersion(1);
    // Within the TTL: the cached version, no database access.
    expect((await versions.currentOf(ID)).versionId).toBe(first.versionId);
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 6_000);
    try {
      // Expired: the stale answer at once (a rush does not wait), while the refresh runs…
      const concurrent = await Promise.all([versions.currentOf(ID), versions.currentOf(ID)]);
      expect(concurrent.map((v) => v.versionId)).toEqual([first.versionId, first.versionId]);
      // …and once it is done, the edited version.
      await vi.waitFor(async () => expect((await versions.currentOf(ID)).versionId).toBe(edited));
      expect((await versions.currentOf(ID)).compiled.template.title).toBe('Conv output size, edit 1');
    } finally {
      clock.mockRestore();
    }
  });

  it('reads the database at once after invalidate (an edit in this process)', async () => {
    const versions = new TemplateVersions(tdb.db.prisma);
    await versions.currentOf(ID);
    const edited = await newVersion(2);
    versions.invalidate(ID);
    expect((await versions.currentOf(ID)).versionId).toBe(edited);
  });

  it('refuses an unknown template with 404 and caches nothing', async () => {
    const versions = new TemplateVersions(tdb.db.prisma);
    await expect(versions.currentOf('no-such-template')).rejects.toMatchObject({ statusCode: 404 });
  });
});
