/** Running work in the caller's transaction, or in one of its own when given the top-level client. */
import type { Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from './client.js';

/**
 * A top-level client rather than an interactive transaction's. Prisma 7 lets a transaction
 * client open nested transactions too, so `$transaction` does not tell them apart; `$connect`
 * is withheld from transaction clients.
 */
export function isTopLevel(db: Prisma.TransactionClient | PrismaClient): db is PrismaClient {
  return typeof (db as { $connect?: unknown }).$connect === 'function';
}

/** fn in `db` if it is a transaction already, else in a new transaction of `db`. */
export function inTransaction<T>(db: PrismaClient | Prisma.TransactionClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return isTopLevel(db) ? db.$transaction(fn) : fn(db);
}
