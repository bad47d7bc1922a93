/**
 * Loads the built-in catalogue (problems/) into the database. A template whose content hash is
 * new gets a new immutable version; unchanged files are left alone, so restarts are cheap and
 * old variants keep pointing at the version they were issued from.
 */
import type { FastifyBaseLogger } from 'fastify';
import { checkCatalogue, type CompiledTemplate } from '../engine/index.js';
import type { PrismaClient } from '../db/client.js';
import { toJson } from '../db/json.js';

export interface SyncReport {
  templates: number;
  newVersions: number;
  invalid: { file: string; message: string }[];
}

/** upsertTemplate(prisma, ct, source): stores ct as the template's current version if its hash is new. */
export async function upsertTemplate(
  prisma: PrismaClient,
  ct: CompiledTemplate,
  source: 'builtin',
): Promise<{ versionId: string; version: number; created: boolean }> {
  const t = ct.template;
  return prisma.$transaction(async (tx) => {
    const existing = await tx.problemTemplate.findUnique({ where: { id: t.id }, select: { currentVersion: true } });
    const same = await tx.templateVersion.findUnique({ where: { templateId_hash: { templateId: t.id, hash: ct.hash } } });
    const meta = { title: t.title, topic: t.topic, tags: t.tags, difficulty: t.difficulty, source };
    if (same) {
      if (existing?.currentVersion !== same.version) {
        await tx.problemTemplate.update({ where: { id: t.id }, data: { ...meta, currentVersion: same.version } });
      }
      return { versionId: same.id, version: same.version, created: false };
    }
    const last = await tx.templateVersion.findFirst({ where: { templateId: t.id }, orderBy: { version: 'desc' }, select: { version: true } });
    const version = (last?.version ?? 0) + 1;
    if (existing) await tx.problemTemplate.update({ where: { id: t.id }, data: { ...meta, currentVersion: version } });
    else await tx.problemTemplate.create({ data: { id: t.id, slug: t.id, ...meta, currentVersion: version } });
    const row = await tx.templateVersion.create({
      data: { templateId: t.id, version, hash: ct.hash, content: toJson(t) },
    });
    return { versionId: row.id, version, created: true };
  });
}

/** syncCatalogue(prisma, dir, log): every valid file stored; invalid ones reported and skipped. */
export async function syncCatalogue(prisma: PrismaClient, dir: string, log?: FastifyBaseLogger): Promise<SyncReport> {
  const { templates, problems } = checkCatalogue(dir);
  const invalid = problems.map((p) => ({ file: p.file, message: p.error.message }));
  for (const p of invalid) log?.warn({ file: p.file }, `skipping invalid template: ${p.message}`);
  // One read tells which files are already stored as their template's current version, so a
  // restart with an unchanged catalogue costs two queries, not one transaction per template.
  const [stored, current] = await Promise.all([
    prisma.templateVersion.findMany({ select: { templateId: true, hash: true, version: true } }),
    prisma.problemTemplate.findMany({ select: { id: true, currentVersion: true } }),
  ]);
  const currentOf = new Map(current.map((t) => [t.id, t.currentVersion]));
  const upToDate = new Set(stored.filter((v) => currentOf.get(v.templateId) === v.version).map((v) => `${v.templateId}:${v.hash}`));
  const pending = templates.filter((ct) => !upToDate.has(`${ct.template.id}:${ct.hash}`));
  // Templates never seen before (all of them on a first start) go in with two bulk inserts.
  const fresh = pending.filter((ct) => !currentOf.has(ct.template.id));
  if (fresh.length) {
    await prisma.$transaction([
      prisma.problemTemplate.createMany({
        data: fresh.map(({ template: t }) => ({
          id: t.id,
          slug: t.id,
          title: t.title,
          topic: t.topic,
          tags: t.tags,
          difficulty: t.difficulty,
          source: 'builtin',
          currentVersion: 1,
        })),
      }),
      prisma.templateVersion.createMany({
        data: fresh.map((ct) => ({ templateId: ct.template.id, version: 1, hash: ct.hash, content: toJson(ct.template) })),
      }),
    ]);
  }
  let newVersions = fresh.length;
  for (const ct of pending) {
    if (currentOf.has(ct.template.id) && (await upsertTemplate(prisma, ct, 'builtin')).created) newVersions++;
  }
  return { templates: templates.length, newVersions, invalid };
}
