/**
 * Configuration from environment variables, validated once at start-up. A wrong value stops
 * the start with a message naming the variable.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

/** The repository (or image) root: relative paths in the configuration that name parts of the build resolve from here, not from the working directory. */
export const REPO_ROOT = resolve(import.meta.dirname, '..');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    PROBLEMS_DIR: z.string().min(1).default('./problems'),
    /** The built browser app (npm run build:web), served at /; a relative path is taken from the repository root. */
    WEB_DIST_DIR: z
      .string()
      .min(1)
      .default('web/dist')
      .transform((p) => resolve(REPO_ROOT, p)),
    JWT_SECRET: z.string().optional(),
    JWT_ISSUER: z.string().min(1).default('quizgrad'),
    JWT_AUDIENCE: z.string().min(1).default('quizgrad-api'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Origins (besides the server's own) whose pages may call the API; a cookie session accepts them in its Origin check. */
    CORS_ORIGINS: csv.default([]),
    /**
     * The Secure attribute of the refresh-token cookie: `auto` sets it unless the request's host
     * is localhost, 127.0.0.1 or [::1] (a browser drops Secure cookies over plain http there).
     */
    COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
    RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
    LOGIN_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(10),
    REGISTER_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
    /** Headers and body of a request must arrive within this time (408 otherwise). */
    REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
    TRUST_PROXY: bool.default(false),
    /** How often expired exam attempts are finished in the background (0: never). */
    EXAM_SWEEP_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** How often the webhook dispatcher fans out and sends (ms; 0: never, as in tests, which run it by hand). */
    WEBHOOK_DISPATCH_MS: z.coerce.number().int().min(0).max(60_000).default(500),
    /**
     * Whether webhook deliveries and LMS calls may go to loopback and private addresses
     * (src/net/outbound.ts). Unset: refused in production, allowed otherwise.
     */
    OUTBOUND_PRIVATE_ADDRESSES: z.enum(['allow', 'refuse']).optional(),
    /** LTI: after refetching a platform's JWKS for an unknown kid, the next refetch waits this long. */
    LTI_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  })
  .superRefine((env, ctx) => {
    const secret = env.JWT_SECRET;
    if (env.NODE_ENV === 'production' && (!secret || secret.length < 32)) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be set to at least 32 characters in production' });
    } else if (secret !== undefined && secret.length < 16) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 16 characters' });
    }
  });

export type Env = z.output<typeof envSchema>;

export interface Config extends Env {
  /** The secret actually used: JWT_SECRET, or (outside production) one kept in DATA_DIR. */
  jwtSecret: string;
}

export class ConfigError extends Error {}

/** parseEnv(env): the validated environment, or a ConfigError naming each bad variable. */
export function parseEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = envSchema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}
