/**
 * The catalogue service: each course's snapshot (built-ins plus its own published templates,
 * shadowing built-ins of their slug), served stale while one background read refreshes it,
 * dropped at once by invalidate() here and, through the database's notifications, in every
 * other instance on the same database.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Catalogue } from '../../src/catalogue/catalogue.js';
import { syncCatalogue } from '../../src/catalogue/sync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
let courseId: string;
const ID = 'conv-output-size';

beforeAll(async () => {
  tdb = await createTestDatabase();
  await syncCatalogue(tdb.db.prisma, 'problems');
  courseId = (await tdb.db.prisma.course.create({ data: { title: 'C', code: `CAT${Date.now()}` } })).id;
});
afterAll(async () => tdb?.drop());

const catalogue = () => new Catalogue(tdb.db.prisma, tdb.db.sql);

/** A new current version of the built-in, written as a sync would (content differs, so the hash does). */
async function newVersion(n: number): Promise<string> {
  const prisma = tdb.db.prisma;
  const v1 = await prisma.templateVersion.findFirstOrThrow({ where: { templateId: ID }, orderBy: { version: 'asc' } });
  const content = { ...(v1.content as Record<string, unknown>), title: `Conv output size, edit ${n}` };
  const row = await prisma.templateVersion.create({ data: { templateId: ID, version: v1.version + n, hash: `edit-${n}-${Date.now()}`, content } });
  await prisma.problemTemplate.update({ where: { id: ID }, data: { currentVersion: row.version } });
  return row.id;
}

/** A course's own template of a slug, published at version 1 with the built-in's content. */
async function courseTemplate(slug: string, opts: { published?: boolean; archived?: boolean } = {}) {
  const prisma = tdb.db.prisma;
  const builtin = await prisma.templateVersion.findFirstOrThrow({ where: { templateId: ID }, orderBy: { version: 'asc' } });
  return prisma.problemTemplate.create({
    data: {
      id: `${courseId}/${slug}`,
      courseId,
      slug,
      source: 'course',
      title: `Course ${slug}`,
      topic: 'course-topic',
      tags: [],
      difficulty: 2,
      currentVersion: opts.published === false ? 0 : 1,
      archivedAt: opts.archived ? new Date() : null,
      versions: { create: { version: 1, hash: `course-${slug}`, content: builtin.content as object, status: 'PUBLISHED' } },
    },
  });
}

describe('Catalogue', () => {
  it('serves the current version from the snapshot, stale while one background read checks, then switches', async () => {
    const c = catalogue();
    const first = await c.current(courseId, ID);
    const edited = await newVersion(1);
    expect((await c.current(courseId, ID)).versionId).toBe(first.versionId);
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 6_000);
    try {
      const concurrent = await Promise.all([c.current(courseId, ID), c.current(courseId, ID)]);
      expect(concurrent.map((v) => v.versionId)).toEqual([first.versionId, first.versionId]);
      await vi.waitFor(async () => expect((await c.current(courseId, ID)).versionId).toBe(edited));
      expect((await c.current(courseId, ID)).compiled.template.title).toBe('Conv output size, edit 1');
    } finally {
      clock.mockRestore();
    }
  });

  it('invalidate() drops the snapshot here at once and, by notification, in another instance', async () => {
    const here = catalogue();
    const there = catalogue();
    await there.listen(tdb.db);
    try {
      await here.current(courseId, ID);
      await there.current(courseId, ID);
      const dropped: (string | null)[] = [];
      there.onInvalidate((id) => dropped.push(id));
      const edited = await newVersion(2);
      await here.invalidate(null);
      expect((await here.current(courseId, ID)).versionId).toBe(edited);
      await vi.waitFor(() => expect(dropped).toContain(null));
      expect((await there.current(courseId, ID)).versionId).toBe(edited);
    } finally {
      await there.close();
    }
  });

  it('a course sees its own published templates, shadowing a built-in of the slug; other courses do not', async () => {
    await courseTemplate('mine');
    await courseTemplate(ID); // the built-in's slug
    await courseTemplate('unpublished', { published: false });
    await courseTemplate('archived', { archived: true });
    const other = (await tdb.db.prisma.course.create({ data: { title: 'D', code: `CAT2${Date.now()}` } })).id;
    const c = catalogue();
    const mine = await c.of(courseId);
    expect(mine.get('mine')?.id).toBe(`${courseId}/mine`);
    expect(mine.get(ID)?.id).toBe(`${courseId}/${ID}`);
    expect(mine.get(`${courseId}/mine`)?.slug).toBe('mine');
    expect(mine.get('unpublished')).toBeUndefined();
    expect(mine.get('archived')).toBeUndefined();
    expect(mine.all().filter((t) => t.slug === ID)).toHaveLength(1);
    const theirs = await c.of(other);
    expect(theirs.get('mine')).toBeUndefined();
    expect(theirs.get(`${courseId}/mine`)).toBeUndefined();
    expect(theirs.get(ID)?.id).toBe(ID);
    await expect(c.current(other, `${courseId}/mine`)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses an unknown template with 404', async () => {
    await expect(catalogue().current(courseId, 'no-such-template')).rejects.toMatchObject({ statusCode: 404 });
  });
});
