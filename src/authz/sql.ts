/**
 * SQL fragments for the hot statements that read the caller's role together with their rows
 * (one statement instead of a separate authorisation query). The decision on what they read
 * is made by the authoriser's functions (courseRef, attemptRef, variantRef), so the rule
 * stays in one place; only the reading of the role is repeated in SQL, here.
 */
import { Prisma } from '../generated/prisma/client.js';

/** roleIn(userId, courseIdColumn): the user's role (text) in the course the column names, or NULL. */
export function roleIn(userId: string, courseIdColumn: string): Prisma.Sql {
  return Prisma.sql`(SELECT m.role::text FROM "Membership" m WHERE m."userId" = ${userId}::uuid AND m."courseId" = ${Prisma.raw(courseIdColumn)})`;
}

/** memberOf(userIdColumn, courseIdColumn): whether the user the first column names is a member of the course the second names. */
export function memberOf(userIdColumn: string, courseIdColumn: string): Prisma.Sql {
  return Prisma.raw(`EXISTS (SELECT 1 FROM "Membership" m WHERE m."userId" = ${userIdColumn} AND m."courseId" = ${courseIdColumn})`);
}

/** roleOfColumn(userIdColumn, courseIdColumn): the role (text) of the user the first column names in the course the second names, or NULL. */
export function roleOfColumn(userIdColumn: string, courseIdColumn: string): Prisma.Sql {
  return Prisma.raw(`(SELECT m.role::text FROM "Membership" m WHERE m."userId" = ${userIdColumn} AND m."courseId" = ${courseIdColumn})`);
}
