/** What the course-template pages share: loading a template and a version, its state in words, and the export download. */
import { ApiError, api, must } from '../api/client';
import { authorizedFetch } from '../lib/session';
import './authoring.css';

export const loadTemplate = (courseId: string, slug: string) =>
  must(api.GET('/api/v1/courses/{courseId}/authoring/templates/{slug}', { params: { path: { courseId, slug } } }));

export const loadVersion = (courseId: string, slug: string, version: number) =>
  must(
    api.GET('/api/v1/courses/{courseId}/authoring/templates/{slug}/versions/{version}', {
      params: { path: { courseId, slug, version: String(version) } },
    }),
  );

/** A copy of a template the course sees (a built-in, or its own) as a new draft template, under its id or `id`. */
export const copyTemplate = (courseId: string, from: string, id?: string) =>
  must(api.POST('/api/v1/courses/{courseId}/authoring/templates/copy', { params: { path: { courseId } }, body: { from, ...(id ? { id } : {}) } }));

export type TemplateData = Awaited<ReturnType<typeof loadTemplate>>;
export type VersionData = Awaited<ReturnType<typeof loadVersion>>;
export type SelfTestReport = NonNullable<VersionData['selfTest']>;

export const templatesHref = (courseId: string) => `/courses/${courseId}/authoring`;
export const editorHref = (courseId: string, slug: string, version?: number) => `/courses/${courseId}/authoring/${slug}${version ? `?version=${version}` : ''}`;
export const historyHref = (courseId: string, slug: string) => `/courses/${courseId}/authoring/${slug}/history`;

/** "archived", "draft", "published v2", "published v2 · draft v3". */
export function stateWords(t: { archived: boolean; currentVersion: number | null; latestVersion: number }): string {
  if (t.archived) return t.currentVersion ? `archived (was published v${t.currentVersion})` : 'archived';
  if (!t.currentVersion) return `draft (v${t.latestVersion}, not published)`;
  return t.latestVersion > t.currentVersion ? `published v${t.currentVersion} · newer draft v${t.latestVersion}` : `published v${t.currentVersion}`;
}

/** A version's state and self-test in words: "draft, self-test passed", "published (students get this)". */
export function versionWords(v: { status: 'DRAFT' | 'PUBLISHED'; current: boolean }): string {
  if (v.current) return 'published, students get this one';
  return v.status === 'PUBLISHED' ? 'published before' : 'draft';
}

export function selfTestWords(v: { selfTested: boolean; selfTestPassed: boolean }): string {
  if (!v.selfTested) return 'not run';
  return v.selfTestPassed ? 'passed' : 'failed';
}

/** Downloads the course's templates as one YAML file (the export needs the bearer token, so no plain link). */
export async function downloadExport(courseId: string, name: string): Promise<void> {
  const res = await authorizedFetch(new Request(`/api/v1/courses/${courseId}/authoring/export`, { headers: { accept: 'application/yaml' } }));
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string; code?: string };
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[^\w.-]+/g, '_')}-templates.yaml`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A starting point for a new template: valid, small, and showing each part of the format. */
export const STARTER = `id: my-new-template
title: A new template
topic: cnn
tags: [cnn]
difficulty: 1
params:
  W: { type: int, min: 6, max: 32 }
  F: { type: choice, values: [2, 3] }
constraints:
  - { expr: "W >= F", message: "the window fits" }
prompt: |
  A pooling window of size \${{ F }} \\times {{ F }}$ with stride 1 slides over an input of width $W = {{ W }}$.

  Give the output width.
answers:
  - id: W2
    label: 'output width $W_2$'
    type: integer
    expr: "poolOutputSize(W, F, 1)"
solution: |
  $W_2 = W - F + 1 = {{ W }} - {{ F }} + 1 = {{ poolOutputSize(W, F, 1) }}$.
`;
