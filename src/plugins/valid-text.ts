/**
 * Every string a request brings (body values and keys, query, path parameters) must be text
 * PostgreSQL can store as it was sent: a NUL character is refused by PostgreSQL (22P05) and a
 * lone UTF-16 surrogate is stored mangled (U+FFFD) or refused (22P02). Checked once, here, for
 * every route, before validation: 400 INVALID_TEXT naming the field, nothing stored.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';

/** textProblem(s): why s is not storable text, or undefined. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\0')) return 'must not contain a NUL character';
  if (!s.isWellFormed()) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

const MAX_DEPTH = 64;

/** firstBadText(value, path): the path and problem of the first string (value or key) that is not storable text. */
export function firstBadText(value: unknown, path: string, depth = 0): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { path, message } : undefined;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstBadText(value[i], `${path}.${i}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = textProblem(k);
    if (keyProblem) return { path: `${path} (a key)`, message: `keys ${keyProblem.replace(/^must/, 'must')}` };
    const bad = firstBadText(v, `${path}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

export default fp(
  async function validTextPlugin(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      const bad = firstBadText(request.params, 'params') ?? firstBadText(request.query, 'querystring') ?? firstBadText(request.body, 'body');
      if (bad) throw badRequest('INVALID_TEXT', `${bad.path}: ${bad.message}`, [bad]);
    });
  },
  { name: 'valid-text' },
);
