/**
 * Assignment and Grade Services (AGS 2.0): the line item of a resource link (the launch's own
 * `lineitem`, or one made in the context's `lineitems` container with the exam's title and
 * maximum) and score publication to `{lineitem}/scores`.
 */
import { z } from 'zod';
import type { LtiRegistration } from '../generated/prisma/client.js';
import { LINE_ITEM_CONTENT_TYPE, SCOPE, SCORE_CONTENT_TYPE } from './claims.js';
import { platformFailed, type ServiceTokens } from './service-token.js';

export interface Score {
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: 'Completed';
  gradingProgress: 'FullyGraded';
  timestamp: string;
}

/** scoresUrl(lineItem): the line item's scores endpoint (its path + /scores, the query kept). */
export function scoresUrl(lineItem: string): string {
  const u = new URL(lineItem);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

/** HTTP status or a network error, as a delivery records it. */
export class PlatformHttpError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** createLineItem(tokens, reg, container, item): the new line item's URL (its id). */
export async function createLineItem(
  tokens: ServiceTokens,
  reg: LtiRegistration,
  container: string,
  item: { label: string; scoreMaximum: number; resourceLinkId: string; tag?: string },
): Promise<string> {
  const token = await tokens.token(reg, [SCOPE.lineItem]);
  const res = await tokens.http(container, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': LINE_ITEM_CONTENT_TYPE, accept: LINE_ITEM_CONTENT_TYPE },
    body: JSON.stringify({ ...item, scoreMaximum: item.scoreMaximum > 0 ? item.scoreMaximum : 1 }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) {
    await res.body?.cancel();
    if (res.status === 401) tokens.forget(reg.id);
    throw new PlatformHttpError(res.status, `creating the line item: HTTP ${res.status}`);
  }
  const parsed = z.object({ id: z.url() }).safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw platformFailed('the platform answered the new line item without its id');
  return parsed.data.id;
}

/** publishScore(tokens, reg, lineItem, score): POSTs the score; throws PlatformHttpError on anything but a 2xx. */
export async function publishScore(tokens: ServiceTokens, reg: LtiRegistration, lineItem: string, score: Score): Promise<number> {
  const token = await tokens.token(reg, [SCOPE.score]);
  const res = await tokens.http(scoresUrl(lineItem), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': SCORE_CONTENT_TYPE },
    body: JSON.stringify(score),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  await res.body?.cancel();
  if (res.status === 401) tokens.forget(reg.id);
  if (res.status < 200 || res.status >= 300) throw new PlatformHttpError(res.status, `HTTP ${res.status}`);
  return res.status;
}
