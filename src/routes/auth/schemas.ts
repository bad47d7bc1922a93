import { z } from 'zod';

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
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});

export const sessionOut = tokensOut.extend({ user: userOut });
export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
