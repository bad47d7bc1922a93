/**
 * Access tokens: HS256 JWTs with issuer, audience and expiry checked and an algorithm
 * allow-list (so `alg: none` and key-confusion tokens are refused). `app.authenticate` is the
 * hook of the signed-in route subtree (routes/index.ts); `request.principal` is then the caller
 * (authz/principal.ts).
 */
import fp from 'fastify-plugin';
import fastifyJwt from '@fastify/jwt';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { forbidden, unauthorized } from '../errors.js';
import { userPrincipal, type ApiScope, type Principal, type UserPrincipal } from '../authz/principal.js';
import { API_KEY_PREFIX, principalOfApiKey } from '../lms/api-keys.js';

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
    /** The hook of the signed-in routes (a function property, so it can be passed around unbound). */
    authenticate: (request: FastifyRequest) => Promise<void>;
    signAccessToken: (claims: AccessClaims) => string;
    /** The principal a request's bearer token stands for, or undefined (no, or no valid, token). Cheap: verified tokens are cached. */
    principalOf: (request: FastifyRequest) => UserPrincipal | undefined;
  }
  interface FastifyRequest {
    /**
     * The signed-in user; set by app.authenticate (routes without it have none). A request made
     * with an API key has none: it reaches only routes that accept keys, which read `caller`.
     */
    principal: UserPrincipal;
    /** Who is calling, a user or an API key; set by app.authenticate. Only routes with `config.apiKeyScope` read this. */
    caller: Principal;
  }
  interface FastifyContextConfig {
    /** The route accepts API keys that hold this scope (and signed-in users as before); without it, a key is refused with 403. */
    apiKeyScope?: ApiScope;
  }
}

// A token whose subject is not a user id was not made by us (or its key leaked): refused as invalid.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function principalOfClaims(claims: unknown): UserPrincipal | undefined {
  if (!claims || typeof claims !== 'object') return undefined;
  const { sub, adm } = claims as { sub?: unknown; adm?: unknown };
  if (typeof sub !== 'string' || !UUID.test(sub)) return undefined;
  return userPrincipal(sub, adm === true);
}

export default fp(
  async function authPlugin(app: FastifyInstance, opts: { config: Config }) {
    const { config } = opts;
    // Null until authenticate sets it (Fastify wants reference-type decorators to start as null).
    app.decorateRequest('principal', null as unknown as UserPrincipal);
    app.decorateRequest<Principal, 'caller'>('caller', null as unknown as Principal);
    // Cookies carry a browser's refresh token (auth/sessions.ts); they are random, so unsigned.
    await app.register(fastifyCookie);
    await app.register(fastifyJwt, {
      secret: config.jwtSecret,
      sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS },
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
      const header = request.headers.authorization;
      if (!header) throw unauthorized('missing bearer token');
      if (header.startsWith(`Bearer ${API_KEY_PREFIX}`)) {
        const key = await principalOfApiKey(app, header.slice(7));
        const scope = request.routeOptions.config.apiKeyScope;
        if (!scope) throw forbidden('API keys cannot use this route; sign in as a user');
        if (!key.scopes.includes(scope)) throw forbidden(`this API key lacks the scope ${scope}`);
        request.caller = key;
        return;
      }
      try {
        await request.jwtVerify();
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        throw unauthorized(code.includes('EXPIRED') ? 'access token expired' : 'invalid access token');
      }
      const p = principalOfClaims(request.user);
      if (!p) throw unauthorized('invalid access token');
      request.principal = p;
      request.caller = p;
    });
    app.decorate('principalOf', (request: FastifyRequest) => {
      const h = request.headers.authorization;
      if (!h || !h.startsWith('Bearer ')) return undefined;
      try {
        return principalOfClaims(app.jwt.verify(h.slice(7)));
      } catch {
        return undefined;
      }
    });
  },
  { name: 'auth' },
);
