/**
 * The typed API client: openapi-fetch over the generated `paths` (schema.d.ts), with the
 * session's access token attached and one refresh-and-retry on a 401.
 */
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';
import { authorizedFetch } from '../lib/session';

export type Schemas = components['schemas'];
export const api = createClient<paths>({ baseUrl: '', fetch: authorizedFetch });

/** An error as the API states it: `{ statusCode, code, message, details? }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** Field path ("body.blueprint.sections.0.count") → message, from a validation error's details. */
  fieldErrors(): Map<string, string> {
    const out = new Map<string, string>();
    if (Array.isArray(this.details)) {
      for (const d of this.details as { path?: unknown; message?: unknown }[]) {
        if (typeof d?.path === 'string' && typeof d.message === 'string' && !out.has(d.path)) out.set(d.path, d.message);
      }
    }
    return out;
  }
}

export const offlineError = () => new ApiError(0, 'OFFLINE', 'The network is unreachable; nothing was sent.');

/**
 * must(call): the response's data, or an ApiError in the API's own words. A network failure
 * becomes an OFFLINE ApiError, so every caller shows errors the same way.
 */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw offlineError();
  }
  if (r.response.ok) return r.data as T;
  const e = (r.error ?? {}) as { statusCode?: number; code?: string; message?: string; details?: unknown };
  throw new ApiError(r.response.status, e.code ?? `HTTP_${r.response.status}`, e.message ?? r.response.statusText, e.details);
}
