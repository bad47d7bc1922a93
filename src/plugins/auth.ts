/**
 * Access tokens: HS256 JWTs with issuer, audience and expiry checked and an algorithm
 * allow-list (so `alg: none` and key-confusion tokens are refused). `app.authenticate` is the
 * preHandler for protected routes; `request.user.sub` is then the caller's user id.
 */
import fp from 'fastify-plugin';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { unauthorized } from '../errors.js';

export interface AccessClaims {
  sub: string;
  /** The user is a site administrator. */
  adm: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    signAccessToken(claims: AccessClaims): string;
  }
}

export default fp(
  async function authPlugin(app: FastifyInstance, opts: { config: Config }) {
    const { config } = opts;
    await app.register(fastifyJwt, {
      secret: config.jwtSecret,
      sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS * 1000 },
      verify: {
        algorithms: ['HS256'],
        allowedIss: config.JWT_ISSUER,
        allowedAud: config.JWT_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iss', 'aud'],
        // A verified token is remembered (by its text, until its own expiry or 10 minutes):
        // a student sends the same access token with every request of an exam.
        cache: 10_000,
        cacheTTL: 600_000,
      },
    });
    app.decorate('signAccessToken', (claims: AccessClaims) => app.jwt.sign({ sub: claims.sub, adm: claims.adm }));
    app.decorate('authenticate', async (request: FastifyRequest) => {
      if (!request.headers.authorization) throw unauthorized('missing bearer token');
      try {
        await request.jwtVerify();
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        throw unauthorized(code.includes('EXPIRED') ? 'access token expired' : 'invalid access token');
      }
      if (typeof request.user?.sub !== 'string') throw unauthorized('invalid access token');
    });
  },
  { name: 'auth' },
);
