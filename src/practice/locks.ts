/**
 * Practice locks: an exam may close practice of its templates (or of their topics) for the
 * course's students while it is open, so that practice cannot be used to rehearse the very
 * problems of a running exam. This service owns the cache of each course's locks (a few
 * seconds, invalidated when an exam of the course changes), so the practice hot paths pay a
 * map lookup, not a query, per request.
 */
import type { PrismaClient } from '../db/client.js';
import { blueprintFromJson, type Policies } from '../exams/blueprint.js';
import { resolvePool } from '../exams/pools.js';
import type { Catalogue } from '../catalogue/catalogue.js';

export interface PracticeLock {
  examTitle: string;
  opensAt: Date | undefined;
  closesAt: Date | undefined;
  /** The exam's templates (lock 'templates') or undefined. */
  templateIds: ReadonlySet<string> | undefined;
  /** The topics of the exam's templates (lock 'topics') or undefined. */
  topics: ReadonlySet<string> | undefined;
}

const TTL_MS = 5_000;

export class PracticeLocks {
  private readonly byCourse = new Map<string, { at: number; locks: Promise<PracticeLock[]> }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly catalogue: Catalogue,
  ) {}

  /** lockedBy(courseId, template, now): the open exam that locks practice of this template, if any. */
  async lockedBy(courseId: string, template: { id: string; topic: string }, now: Date): Promise<PracticeLock | undefined> {
    const locks = await this.locksOf(courseId);
    return locks.find(
      (l) =>
        (!l.opensAt || now >= l.opensAt) &&
        (!l.closesAt || now < l.closesAt) &&
        (l.templateIds?.has(template.id) === true || l.topics?.has(template.topic) === true),
    );
  }

  /** A course's exams changed (published, archived, edited): forget its locks (all courses without an id). */
  invalidate(courseId?: string): void {
    if (courseId) this.byCourse.delete(courseId);
    else this.byCourse.clear();
  }

  private locksOf(courseId: string): Promise<PracticeLock[]> {
    const hit = this.byCourse.get(courseId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.locks;
    const locks = this.load(courseId);
    locks.catch(() => this.byCourse.delete(courseId));
    this.byCourse.set(courseId, { at: Date.now(), locks });
    return locks;
  }

  private async load(courseId: string): Promise<PracticeLock[]> {
    const exams = await this.prisma.exam.findMany({ where: { courseId, status: 'PUBLISHED' }, select: { title: true, blueprint: true } });
    const locks: PracticeLock[] = [];
    const visible = exams.length ? await this.catalogue.of(courseId) : undefined;
    for (const e of exams) {
      const b = blueprintFromJson(e.blueprint);
      const p: Policies = b.policies;
      if (p.practiceLock === 'off' || !visible) continue;
      const ids = new Set<string>();
      for (const s of b.sections) for (const id of resolvePool(visible, s.pool).templateIds) ids.add(id);
      const topics = p.practiceLock === 'topics' ? new Set([...ids].flatMap((id) => visible.get(id)?.topic ?? [])) : undefined;
      locks.push({ examTitle: e.title, opensAt: p.opensAt, closesAt: p.closesAt, templateIds: p.practiceLock === 'templates' ? ids : undefined, topics });
    }
    return locks;
  }
}
