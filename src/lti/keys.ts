/**
 * The tool's signing keys (RS256). The newest key that is not retired signs client assertions
 * and deep-linking responses; every key not yet retired stays in the JWKS, so a platform that
 * cached an older key keeps verifying until the key is retired. Keys live in the database
 * (LtiToolKey, private JWK included), so every instance signs with the same key.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import { toJson } from '../db/json.js';

const jwkSchema = z.looseObject({ kty: z.literal('RSA'), n: z.string(), e: z.string() });

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** rotateToolKey(prisma): a new key pair, which becomes the current key; older keys stay published until retired. */
export async function rotateToolKey(prisma: PrismaClient): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  await prisma.ltiToolKey.create({
    data: { kid, publicJwk: toJson({ ...pub, kid, alg: 'RS256', use: 'sig' }), privateJwk: toJson({ ...(await exportJWK(privateKey)), kid }) },
  });
  return kid;
}

/** retireToolKey(prisma, kid, at): the key leaves the JWKS (and is never used again). */
export async function retireToolKey(prisma: PrismaClient, kid: string, at: Date): Promise<void> {
  await prisma.ltiToolKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt: at } });
}

/** publishedKeys(prisma): the JWKS: every key not retired, newest first. */
export async function publishedKeys(prisma: PrismaClient): Promise<{ keys: JWK[] }> {
  const rows = await prisma.ltiToolKey.findMany({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
  return { keys: rows.map((r): JWK => jwkSchema.parse(r.publicJwk)) };
}

/** currentSigningKey(prisma): the newest key not retired (one is made on first use). */
export async function currentSigningKey(prisma: PrismaClient): Promise<SigningKey> {
  let row = await prisma.ltiToolKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
  if (!row) {
    await rotateToolKey(prisma);
    row = await prisma.ltiToolKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
  }
  const jwk: JWK = z.looseObject({ kty: z.literal('RSA'), d: z.string() }).parse(row.privateJwk);
  const key = await importJWK(jwk, 'RS256');
  if (key instanceof Uint8Array) throw new Error('an RSA private JWK imported as a secret');
  return { kid: row.kid, key };
}
