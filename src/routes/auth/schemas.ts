import { z } from 'zod';
import { REFRESH_COOKIE, SESSION_MODES } from '../../auth/sessions.js';
import { optionalBody } from '../schemas.js';

export const email = z
  .email({ message: 'must be an email address' })
  .max(254)
  .transform((e) => e.toLowerCase());
export const password = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');

export const userOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.date(),
});

export const tokensOut = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional().describe(`absent in a cookie session: the refresh token is then the ${REFRESH_COOKIE} cookie`),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});

export const sessionOut = tokensOut.extend({ user: userOut });

/** How login and register hand out the refresh token. */
export const sessionMode = z
  .enum(SESSION_MODES)
  .default('token')
  .describe(
    `token: in the response body (API clients); cookie: as the httpOnly, SameSite=Strict ${REFRESH_COOKIE} cookie for /api/v1/auth only, ` +
      "and not in the body (browsers; the request must carry an Origin header naming this server's origin)",
  );

const refreshToken = z.string().min(1).max(200);
/** Refresh and logout: the refresh token in the body, or (no body, or none in it) the session cookie. */
export const refreshBody = optionalBody(
  z.strictObject({
    refreshToken: refreshToken.optional().describe(`without it, the ${REFRESH_COOKIE} cookie is used (and the request needs a matching Origin header)`),
  }),
);
