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

  /** The current version of a template. */
  async currentOf(templateId: string): Promise<LoadedVersion> {
    const hit = this.current.get(templateId);
    if (hit && Date.now() - hit.at < CURRENT_TTL_MS) return hit.loaded;
    const t = await this.prisma.problemTemplate.findUnique({ where: { id: templateId }, select: { currentVersion: true } });
    if (!t) throw notFound('template');
    const row = await this.prisma.templateVersion.findUnique({ where: { templateId_version: { templateId, version: t.currentVersion } } });
    if (!row) throw notFound('template version');
    const loaded = this.remember(row);
    this.current.set(templateId, { at: Date.now(), loaded });
    return loaded;
  }

  /** Forget cached current versions (after an edit in this process). */
  invalidate(templateId?: string): void {
    if (templateId) this.current.delete(templateId);
    else this.current.clear();
  }

  private remember(row: { id: string; templateId: string; version: number; content: unknown }): LoadedVersion {
    const loaded = { versionId: row.id, templateId: row.templateId, version: row.version, compiled: compileTemplate(row.content, `${row.templateId} v${row.version}`) };
    this.byVersionId.set(row.id, loaded);
    return loaded;
  }
}
