import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../src/config.js';

describe('parseEnv', () => {
  it('has working defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', DATA_DIR: './data', NODE_ENV: 'development', ACCESS_TOKEN_TTL_SECONDS: 900 });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('coerces and splits', () => {
    const env = parseEnv({ PORT: '8080', CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: 'true', DATABASE_URL: 'postgres://u@h/db' });
    expect(env.PORT).toBe(8080);
    expect(env.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(env.TRUST_PROXY).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET: must be set to at least 32 characters in production/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'short-secret-1234' }, /JWT_SECRET/],
    [{ JWT_SECRET: 'tiny' }, /JWT_SECRET: must be at least 16/],
    [{ ACCESS_TOKEN_TTL_SECONDS: '5' }, /ACCESS_TOKEN_TTL_SECONDS/],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => parseEnv(env)).toThrow(ConfigError);
    expect(() => parseEnv(env)).toThrow(message);
  });

  it('accepts a long secret in production', () => {
    expect(parseEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).NODE_ENV).toBe('production');
  });
});
