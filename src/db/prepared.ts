/**
 * Prepared statements for the hot raw statements (run by raw.ts). A statement whose SQL starts
 * with a `/* qg:<name> *\/` comment gets a stable statement name, so each pool connection parses it
 * once and PostgreSQL can keep its plan (planning the JSON-building reads cost more than running
 * them). Only marked statements are named: their number is fixed, while Prisma's own SQL texts
 * vary (IN lists), and every named statement stays prepared on every connection.
 */
import { createHash } from 'node:crypto';

const MARK = '/* qg:';
const names = new Map<string, string>();

/** preparedName(sql): the statement name of a marked statement, undefined for any other. */
export function preparedName(sql: string): string | undefined {
  if (!sql.startsWith(MARK)) return undefined;
  let name = names.get(sql);
  if (!name) {
    // Named by the text, so two texts never share a name (pg refuses that).
    name = `qg_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}
