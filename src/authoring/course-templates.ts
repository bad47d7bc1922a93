/**
 * A course's own templates: created and edited over the API, every save an immutable version
 * (DRAFT until published), published only after the version passed a self-test, archived and
 * restored, copied from a built-in, diffed, and moved between courses as a YAML bundle.
 *
 * A course template's internal id is "<courseId>/<slug>" (templateKey); authors name it by its
 * slug, the `id` field of its YAML. Every change that alters what a course sees (publish,
 * archive, restore) goes through the catalogue's invalidate(), here and on every instance.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseAllDocuments, stringify } from 'yaml';
import type { CourseRef } from '../authz/index.js';
import type { CompiledTemplate } from '../engine/index.js';
import { AppError, conflict, notFound, unprocessable } from '../errors.js';
import { fromJson, toJson } from '../db/json.js';
import type { TemplateVersion } from '../generated/prisma/client.js';
import { unifiedDiff } from './text-diff.js';
import type { SelfTestReport } from './self-test.js';
import type { TemplateRunner } from './runner.js';

/** The internal id of a course's template. */
export const templateKey = (courseId: string, slug: string) => `${courseId}/${slug}`;

export interface TemplateSummary {
  id: string;
  slug: string;
  title: string;
  topic: string;
  tags: string[];
  difficulty: number;
  /** The published version students get (null: none yet). */
  currentVersion: number | null;
  latestVersion: number;
  archived: boolean;
  copiedFromId: string | null;
  updatedAt: Date;
}

export interface VersionSummary {
  version: number;
  status: 'DRAFT' | 'PUBLISHED';
  current: boolean;
  hash: string;
  selfTestPassed: boolean;
  selfTested: boolean;
  createdAt: Date;
  createdById: string | null;
}

export interface VersionDetail extends VersionSummary {
  source: string;
  content: unknown;
  selfTest: StoredSelfTest | null;
}

export type StoredSelfTest = SelfTestReport & { passed: boolean; at: string; timings?: unknown };

const MAX_SOURCE = 200_000;

/** One YAML document's text → the compiled template, or 422 naming what is wrong (by the runner: the sandbox for course templates). */
async function compileSource(runner: TemplateRunner, source: string): Promise<{ compiled: CompiledTemplate; source: string }> {
  if (source.length > MAX_SOURCE) throw unprocessable('TEMPLATE_INVALID', `the template is longer than ${MAX_SOURCE} characters`);
  const report = await runner.validate(source);
  if (!report.ok || !report.template) {
    const first = report.errors[0];
    throw unprocessable('TEMPLATE_INVALID', first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'the template does not validate', {
      errors: report.errors,
      warnings: report.warnings,
    });
  }
  return { compiled: report.compiled ?? (await runner.compile(report.template)), source };
}

function summary(t: {
  id: string;
  slug: string;
  title: string;
  topic: string;
  tags: string[];
  difficulty: number;
  currentVersion: number;
  archivedAt: Date | null;
  copiedFromId: string | null;
  updatedAt: Date;
  versions: { version: number }[];
}): TemplateSummary {
  return {
    id: t.id,
    slug: t.slug,
    title: t.title,
    topic: t.topic,
    tags: t.tags,
    difficulty: t.difficulty,
    currentVersion: t.currentVersion || null,
    latestVersion: Math.max(0, ...t.versions.map((v) => v.version)),
    archived: t.archivedAt !== null,
    copiedFromId: t.copiedFromId,
    updatedAt: t.updatedAt,
  };
}

function versionSummary(v: TemplateVersion, currentVersion: number): VersionSummary {
  return {
    version: v.version,
    status: v.status,
    current: v.version === currentVersion,
    hash: v.hash,
    selfTestPassed: v.selfTestPassed,
    selfTested: v.selfTest !== null,
    createdAt: v.createdAt,
    createdById: v.createdById,
  };
}

const sourceOf = (v: TemplateVersion) => v.sourceText ?? stringify(v.content);

const latestOnly = { orderBy: { version: 'desc' as const }, take: 1, select: { version: true } };

export class CourseTemplates {
  constructor(
    private readonly app: FastifyInstance,
    private readonly runner: TemplateRunner,
  ) {}

  private get prisma() {
    return this.app.prisma;
  }

  /** The course's own templates (drafts and archived ones included), by slug. */
  async list(course: CourseRef): Promise<TemplateSummary[]> {
    const rows = await this.prisma.problemTemplate.findMany({
      where: { courseId: course.courseId },
      orderBy: { slug: 'asc' },
      include: { versions: latestOnly },
    });
    return rows.map(summary);
  }

  private async load(course: CourseRef, slug: string) {
    const t = await this.prisma.problemTemplate.findUnique({
      where: { courseId_slug: { courseId: course.courseId, slug } },
      include: { versions: { orderBy: { version: 'asc' } } },
    });
    if (!t) throw notFound(`template '${slug}'`);
    return t;
  }

  /** One template with its versions, oldest first. */
  async get(course: CourseRef, slug: string): Promise<TemplateSummary & { versions: VersionSummary[] }> {
    const t = await this.load(course, slug);
    return { ...summary(t), versions: t.versions.map((v) => versionSummary(v, t.currentVersion)) };
  }

  async version(course: CourseRef, slug: string, version: number): Promise<VersionDetail> {
    const t = await this.load(course, slug);
    const v = t.versions.find((x) => x.version === version);
    if (!v) throw notFound(`version ${version} of '${slug}'`);
    return {
      ...versionSummary(v, t.currentVersion),
      source: sourceOf(v),
      content: v.content,
      selfTest: v.selfTest ? fromJson<StoredSelfTest>(v.selfTest) : null,
    };
  }

  /** A new template from YAML: version 1, a draft. 409 TEMPLATE_EXISTS when the course has the id. */
  async create(course: CourseRef, source: string, opts: { copiedFromId?: string } = {}) {
    const { compiled } = await compileSource(this.runner, source);
    const t = compiled.template;
    const id = templateKey(course.courseId, t.id);
    try {
      await this.prisma.problemTemplate.create({
        data: {
          id,
          courseId: course.courseId,
          slug: t.id,
          source: 'course',
          title: t.title,
          topic: t.topic,
          tags: t.tags,
          difficulty: t.difficulty,
          currentVersion: 0,
          copiedFromId: opts.copiedFromId ?? null,
          versions: {
            create: { version: 1, hash: compiled.hash, content: toJson(t), sourceText: source, status: 'DRAFT', createdById: course.principal.userId },
          },
        },
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw conflict('TEMPLATE_EXISTS', `the course already has a template '${t.id}'`, { id: t.id });
      throw err;
    }
    return this.get(course, t.id);
  }

  /**
   * A new version of a template from YAML (a draft), or the existing version with the same
   * content (saving the same template twice makes no second version).
   */
  async save(course: CourseRef, slug: string, source: string): Promise<{ created: boolean; version: VersionDetail }> {
    const { compiled } = await compileSource(this.runner, source);
    if (compiled.template.id !== slug) {
      throw unprocessable('TEMPLATE_ID_MISMATCH', `this template's id is '${slug}'; the YAML says '${compiled.template.id}' (copy it to make a new template)`, {
        path: ['id'],
      });
    }
    const t = await this.load(course, slug);
    if (t.archivedAt) throw conflict('TEMPLATE_ARCHIVED', `template '${slug}' is archived; restore it first`);
    const same = t.versions.find((v) => v.hash === compiled.hash);
    if (same) return { created: false, version: await this.version(course, slug, same.version) };
    const next = Math.max(0, ...t.versions.map((v) => v.version)) + 1;
    try {
      await this.prisma.templateVersion.create({
        data: {
          templateId: t.id,
          version: next,
          hash: compiled.hash,
          content: toJson(compiled.template),
          sourceText: source,
          status: 'DRAFT',
          createdById: course.principal.userId,
        },
      });
    } catch (err) {
      // Two saves at once: the loser's number was taken; its content may be the winner's.
      if ((err as { code?: string }).code === 'P2002') return this.save(course, slug, source);
      throw err;
    }
    return { created: true, version: await this.version(course, slug, next) };
  }

  /** The unified diff of two versions' YAML. */
  async diff(course: CourseRef, slug: string, from: number, to: number): Promise<{ from: number; to: number; diff: string }> {
    const [a, b] = await Promise.all([this.version(course, slug, from), this.version(course, slug, to)]);
    return { from, to, diff: unifiedDiff(a.source, b.source, [`${slug} v${from}`, `${slug} v${to}`]) };
  }

  /** The compiled content of a version (for preview and self-test, which may use drafts). */
  async compiledVersion(course: CourseRef, slug: string, version: number): Promise<{ compiled: CompiledTemplate; templateId: string }> {
    const t = await this.load(course, slug);
    const v = t.versions.find((x) => x.version === version);
    if (!v) throw notFound(`version ${version} of '${slug}'`);
    return { compiled: await this.runner.compile(v.content), templateId: t.id };
  }

  /** Self-tests a version (n variants) and stores the report; `passed` when nothing failed. */
  async selfTest(course: CourseRef, slug: string, version: number, n: number, onProgress?: (done: number, total: number) => void): Promise<StoredSelfTest> {
    const { compiled, templateId } = await this.compiledVersion(course, slug, version);
    const report = await this.runner.selfTest(compiled, n, 1, onProgress);
    const stored: StoredSelfTest = { ...report, passed: report.failures.length === 0, at: new Date().toISOString() };
    await this.prisma.templateVersion.update({
      where: { templateId_version: { templateId, version } },
      data: { selfTest: toJson(stored), selfTestPassed: stored.passed },
    });
    return stored;
  }

  /** Makes a version the one students get; it must have passed a self-test (409 SELF_TEST_REQUIRED). */
  async publish(course: CourseRef, slug: string, version: number) {
    const t = await this.load(course, slug);
    if (t.archivedAt) throw conflict('TEMPLATE_ARCHIVED', `template '${slug}' is archived; restore it first`);
    const v = t.versions.find((x) => x.version === version);
    if (!v) throw notFound(`version ${version} of '${slug}'`);
    if (!v.selfTestPassed) {
      throw conflict('SELF_TEST_REQUIRED', `version ${version} of '${slug}' has ${v.selfTest ? 'not passed its' : 'no'} self-test; run one that passes first`);
    }
    const content = await this.runner.compile(v.content);
    await this.prisma.$transaction([
      this.prisma.templateVersion.update({ where: { id: v.id }, data: { status: 'PUBLISHED' } }),
      this.prisma.problemTemplate.update({
        where: { id: t.id },
        data: {
          currentVersion: version,
          title: content.template.title,
          topic: content.template.topic,
          tags: content.template.tags,
          difficulty: content.template.difficulty,
        },
      }),
    ]);
    await this.app.catalogue.invalidate(course.courseId);
    return this.get(course, slug);
  }

  /** Archived: no longer drawn by pools or practice in the course (attempts already made keep their variants). */
  async setArchived(course: CourseRef, slug: string, archived: boolean) {
    const t = await this.load(course, slug);
    await this.prisma.problemTemplate.update({ where: { id: t.id }, data: { archivedAt: archived ? new Date() : null } });
    await this.app.catalogue.invalidate(course.courseId);
    return this.get(course, slug);
  }

  /** A copy of a template the course can see (a built-in, or one of its own) under a new id, as a draft. */
  async copy(course: CourseRef, from: string, asId?: string) {
    const visible = (await this.app.catalogue.of(course.courseId)).get(from);
    const own = visible ? undefined : await this.prisma.problemTemplate.findUnique({ where: { courseId_slug: { courseId: course.courseId, slug: from } } });
    const templateId = visible?.id ?? own?.id;
    if (!templateId) throw notFound(`template '${from}'`);
    const v = await this.prisma.templateVersion.findFirstOrThrow({ where: { templateId }, orderBy: { version: 'desc' } });
    let source = v.sourceText ?? this.builtinFile(fromJson<{ topic: string; id: string }>(v.content)) ?? stringify(v.content);
    const slug = asId ?? from;
    if (slug !== fromJson<{ id: string }>(v.content).id) source = renameId(source, slug);
    return this.create(course, source, { copiedFromId: templateId });
  }

  /** The file a built-in came from, as written (comments and layout kept). */
  private builtinFile(t: { topic: string; id: string }): string | undefined {
    const file = resolve(this.app.config.PROBLEMS_DIR, t.topic, `${t.id}.yaml`);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** Every template of the course (its latest version, archived ones left out) as one YAML stream. */
  async exportBundle(course: CourseRef): Promise<string> {
    const rows = await this.prisma.problemTemplate.findMany({
      where: { courseId: course.courseId, archivedAt: null },
      orderBy: { slug: 'asc' },
      include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
    });
    return rows
      .map(
        (t) =>
          `---\n${sourceOf(t.versions[0])
            .replace(/^---\n/, '')
            .trimEnd()}\n`,
      )
      .join('');
  }

  /**
   * Imports a YAML stream: each document a template. A new id becomes a new template (a
   * draft), a known one a new version unless its content is unchanged. All documents are
   * checked before anything is stored (422 BUNDLE_INVALID naming each bad one).
   */
  async importBundle(course: CourseRef, bundle: string) {
    if (bundle.length > MAX_SOURCE * 20) throw unprocessable('BUNDLE_INVALID', 'the bundle is too large');
    const docs = parseAllDocuments(bundle);
    const list = Array.isArray(docs) ? docs : [docs];
    const sources = list
      .map((d) =>
        bundle
          .slice(d.range[0], d.range[2])
          .replace(/^---\s*\n/, '')
          .trim(),
      )
      .filter((s) => s.length > 0);
    if (!sources.length) throw unprocessable('BUNDLE_INVALID', 'the bundle holds no template');
    const bad: { document: number; message: string; details?: unknown }[] = [];
    const ids = new Set<string>();
    for (const [i, s] of sources.entries()) {
      try {
        const { compiled } = await compileSource(this.runner, s + '\n');
        if (ids.has(compiled.template.id)) bad.push({ document: i + 1, message: `the id '${compiled.template.id}' appears twice` });
        ids.add(compiled.template.id);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        bad.push({ document: i + 1, message: err.message, details: err.details });
      }
    }
    if (bad.length) throw unprocessable('BUNDLE_INVALID', bad.map((b) => `document ${b.document}: ${b.message}`).join('; '), bad);
    const results: { id: string; result: 'created' | 'new-version' | 'unchanged'; version: number }[] = [];
    for (const s of sources) {
      const source = s + '\n';
      const { compiled } = await compileSource(this.runner, source);
      const slug = compiled.template.id;
      const exists = await this.prisma.problemTemplate.findUnique({
        where: { courseId_slug: { courseId: course.courseId, slug } },
        select: { archivedAt: true },
      });
      if (!exists) {
        await this.create(course, source);
        results.push({ id: slug, result: 'created', version: 1 });
      } else {
        if (exists.archivedAt) await this.setArchived(course, slug, false);
        const saved = await this.save(course, slug, source);
        results.push({ id: slug, result: saved.created ? 'new-version' : 'unchanged', version: saved.version.version });
      }
    }
    return { results };
  }
}

/** The YAML with its top-level `id:` replaced (a copy under a new id). */
function renameId(source: string, id: string): string {
  const re = /^id:\s*.*$/m;
  return re.test(source) ? source.replace(re, `id: ${id}`) : `id: ${id}\n${source}`;
}
