/**
 * The catalogue service: the one owner of every cache of templates, versions and pools.
 *
 * - Compiled versions by id: a version is immutable, so once compiled it is kept.
 * - Each course's view of the catalogue (`of(courseId)`): the built-ins and the course's own
 *   published, unarchived templates, a course's template shadowing a built-in of its slug. Pools,
 *   practice by topic and the issuing of variants all read this one snapshot, so a template is
 *   visible in a course exactly when every one of them sees it. A snapshot older than the TTL is
 *   still served while one background read replaces it (an exam-start rush never waits).
 * - `invalidate(courseId)` after an edit drops the course's snapshot here at once and, through
 *   the database's notifications (PostgreSQL LISTEN/NOTIFY; PGlite's own), on every instance.
 */
import type { CompiledTemplate } from '../engine/index.js';
import { compileTemplate } from '../engine/index.js';
import type { Database, PrismaClient } from '../db/client.js';
import type { RawQuery } from '../db/raw.js';
import { Prisma } from '../generated/prisma/client.js';
import { notFound } from '../errors.js';

export interface LoadedVersion {
  versionId: string;
  templateId: string;
  version: number;
  compiled: CompiledTemplate;
  /** A course's own template, written over the API: its code runs only in the sandbox. */
  untrusted: boolean;
}

/** A template as a course sees it: its current (published) version. */
export interface CatalogueEntry {
  /** The internal id: the slug for a built-in, "<courseId>/<slug>" for a course's own. */
  id: string;
  slug: string;
  courseId: string | null;
  title: string;
  topic: string;
  tags: string[];
  difficulty: number;
  versionId: string;
  version: number;
}

/** One course's snapshot of the catalogue. */
export class CourseCatalogue {
  private readonly bySlug = new Map<string, CatalogueEntry>();
  private readonly byInternalId = new Map<string, CatalogueEntry>();

  constructor(
    readonly courseId: string,
    rows: readonly CatalogueEntry[],
  ) {
    // Built-ins first, so that a course's template of the same slug replaces them.
    for (const r of [...rows].sort((a, b) => Number(a.courseId !== null) - Number(b.courseId !== null))) this.bySlug.set(r.slug, r);
    for (const r of this.bySlug.values()) this.byInternalId.set(r.id, r);
  }

  /** The template a slug (as authors write it) or an internal id names here. */
  get(slugOrId: string): CatalogueEntry | undefined {
    return this.byInternalId.get(slugOrId) ?? this.bySlug.get(slugOrId);
  }

  /** Every template visible here, by slug. */
  all(): CatalogueEntry[] {
    return [...this.bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }
}

/** The notification channel edits are announced on; the payload is a course id, or '*'. */
export const CATALOGUE_CHANNEL = 'quizgrad_catalogue';
const ALL = '*';

const DEFAULT_TTL_MS = 5_000;

type SnapshotRow = CatalogueEntry;

const snapshotSql = (courseId: string) => Prisma.sql`/* qg:catalogue-snapshot */
  SELECT t.id, t.slug, t."courseId"::text AS "courseId", t.title, t.topic, t.tags, t.difficulty,
         tv.id::text AS "versionId", tv.version
  FROM "ProblemTemplate" t
  JOIN "TemplateVersion" tv ON tv."templateId" = t.id AND tv.version = t."currentVersion"
  WHERE (t."courseId" IS NULL OR t."courseId" = ${courseId}::uuid) AND t."archivedAt" IS NULL`;

export class Catalogue {
  private readonly versions = new Map<string, LoadedVersion>();
  private readonly courses = new Map<string, { at: number; snapshot: Promise<CourseCatalogue>; refreshing: boolean }>();
  private readonly listeners: ((courseId: string | null) => void)[] = [];
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: RawQuery,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  /** Subscribes to other instances' edits (and this one's, echoed back). */
  async listen(db: Pick<Database, 'listen'>): Promise<void> {
    this.stopListening = await db.listen(CATALOGUE_CHANNEL, {
      onMessage: (payload) => this.forget(payload === ALL ? null : payload),
      // Notifications may have been missed while the connection was down.
      onGap: () => this.forget(null),
    });
  }

  async close(): Promise<void> {
    await this.stopListening?.();
  }

  /** Called whenever a course's view (or, with null, every view) is dropped. */
  onInvalidate(fn: (courseId: string | null) => void): void {
    this.listeners.push(fn);
  }

  /** The course's snapshot: built-ins plus its own published templates. */
  of(courseId: string): Promise<CourseCatalogue> {
    const hit = this.courses.get(courseId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.snapshot;
    if (hit) {
      // Stale: served while one background read replaces it (unless an edit drops it first).
      if (!hit.refreshing) {
        hit.refreshing = true;
        this.load(courseId).then(
          (s) => {
            if (this.courses.get(courseId) === hit) this.courses.set(courseId, { at: Date.now(), snapshot: Promise.resolve(s), refreshing: false });
          },
          () => (hit.refreshing = false),
        );
      }
      return hit.snapshot;
    }
    const entry = { at: Date.now(), snapshot: this.load(courseId), refreshing: false };
    this.courses.set(courseId, entry);
    entry.snapshot.catch(() => {
      if (this.courses.get(courseId) === entry) this.courses.delete(courseId);
    });
    return entry.snapshot;
  }

  private async load(courseId: string): Promise<CourseCatalogue> {
    return new CourseCatalogue(courseId, await this.sql.query<SnapshotRow>(snapshotSql(courseId)));
  }

  /** The version a stored variant points at (no visibility check: the variant was authorised). */
  async version(versionId: string): Promise<LoadedVersion> {
    const hit = this.versions.get(versionId);
    if (hit) return hit;
    const row = await this.prisma.templateVersion.findUnique({ where: { id: versionId }, include: { template: { select: { courseId: true } } } });
    if (!row) throw notFound('template version');
    return this.remember({ ...row, untrusted: row.template.courseId !== null });
  }

  /** The version if this process has it compiled already (no database access). */
  peek(versionId: string): LoadedVersion | undefined {
    return this.versions.get(versionId);
  }

  /** The current version of the template a slug or internal id names in a course (404 if it is not visible there). */
  async current(courseId: string, slugOrId: string): Promise<LoadedVersion & { entry: CatalogueEntry }> {
    const entry = (await this.of(courseId)).get(slugOrId);
    if (!entry) throw notFound(`template '${slugOrId}'`);
    return { ...(await this.version(entry.versionId)), entry };
  }

  /**
   * An edit happened: drop the course's view here (null: every course's, after a built-in
   * changed) and tell the other instances.
   */
  async invalidate(courseId: string | null): Promise<void> {
    this.forget(courseId);
    await this.sql.query(Prisma.sql`SELECT pg_notify(${CATALOGUE_CHANNEL}, ${courseId ?? ALL})`);
  }

  private forget(courseId: string | null): void {
    if (courseId === null) this.courses.clear();
    else this.courses.delete(courseId);
    for (const fn of this.listeners) fn(courseId);
  }

  private remember(row: { id: string; templateId: string; version: number; content: unknown; untrusted: boolean }): LoadedVersion {
    const loaded = {
      versionId: row.id,
      templateId: row.templateId,
      version: row.version,
      untrusted: row.untrusted,
      compiled: compileTemplate(row.content, `${row.templateId} v${row.version}`),
    };
    this.versions.set(row.id, loaded);
    return loaded;
  }
}
