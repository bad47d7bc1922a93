/**
 * Compiled template versions by id, cached in process: a version is immutable, so once
 * compiled it never needs reloading. The current version of each template is cached briefly
 * so issuing a variant does not re-read the template table on every request.
 */
import { compileTemplate, type CompiledTemplate } from '../engine/index.js';
import type { PrismaClient } from '../db/client.js';
import { notFound } from '../errors.js';

export interface LoadedVersion {
  versionId: string;
  templateId: string;
  version: number;
  compiled: CompiledTemplate;
}

const CURRENT_TTL_MS = 5_000;

export class TemplateVersions {
  private byVersionId = new Map<string, LoadedVersion>();
  private current = new Map<string, { at: number; loaded: LoadedVersion }>();
  private refreshing = new Map<string, Promise<LoadedVersion>>();

  constructor(private readonly prisma: PrismaClient) {}

  /** The version a stored variant points at. */
  async byId(versionId: string): Promise<LoadedVersion> {
    const hit = this.byVersionId.get(versionId);
    if (hit) return hit;
    const row = await this.prisma.templateVersion.findUnique({ where: { id: versionId } });
    if (!row) throw notFound('template version');
    return this.remember(row);
  }

  /** The version if this process has it compiled already (no database access). */
  peek(versionId: string): LoadedVersion | undefined {
    return this.byVersionId.get(versionId);
  }

  /**
   * The current version of a template. A cached answer older than CURRENT_TTL_MS is still
   * returned while one background read checks which version is current (an exam-start rush
   * must not wait for it); an edit made in this process invalidates the entry at once.
   */
  async currentOf(templateId: string): Promise<LoadedVersion> {
    const hit = this.current.get(templateId);
    if (hit && Date.now() - hit.at < CURRENT_TTL_MS) return hit.loaded;
    const refresh = this.refresh(templateId);
    if (!hit) return refresh;
    refresh.catch(() => {
      // The stale entry stays; the next call after the TTL tries again.
    });
    return hit.loaded;
  }

  /** Reads which version is current (one statement); loads and compiles it only if it is new here. */
  private refresh(templateId: string): Promise<LoadedVersion> {
    const pending = this.refreshing.get(templateId);
    if (pending) return pending;
    const load = (async () => {
      const [cur] = await this.prisma.$queryRaw<{ id: string }[]>`
        SELECT tv.id::text AS id FROM "ProblemTemplate" t
        JOIN "TemplateVersion" tv ON tv."templateId" = t.id AND tv.version = t."currentVersion"
        WHERE t.id = ${templateId}`;
      if (!cur) {
        this.current.delete(templateId);
        throw notFound('template');
      }
      const loaded = await this.byId(cur.id);
      this.current.set(templateId, { at: Date.now(), loaded });
      return loaded;
    })().finally(() => this.refreshing.delete(templateId));
    this.refreshing.set(templateId, load);
    return load;
  }

  /** Forget cached current versions (after an edit in this process). */
  invalidate(templateId?: string): void {
    if (templateId) this.current.delete(templateId);
    else this.current.clear();
  }

  private remember(row: { id: string; templateId: string; version: number; content: unknown }): LoadedVersion {
    const loaded = {
      versionId: row.id,
      templateId: row.templateId,
      version: row.version,
      compiled: compileTemplate(row.content, `${row.templateId} v${row.version}`),
    };
    this.byVersionId.set(row.id, loaded);
    return loaded;
  }
}
