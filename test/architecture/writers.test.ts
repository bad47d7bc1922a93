/**
 * One writer per aggregate: a table whose changes produce events is written by its repository
 * module only (src/repos/), which inserts the event in the same transaction. This walks every
 * source file and fails on a write to such a table anywhere else: a Prisma model write, a
 * nested write through a relation, or raw SQL. (The webhook dispatcher's own bookkeeping of
 * delivered events — OutboxEvent.fannedOutAt — is an UPDATE of delivery state, not an event:
 * it is allowed in src/webhooks/.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Aggregate {
  table: string;
  /** The Prisma delegate (`prisma.membership`) and relation field (`memberships: { create … }`). */
  delegate: string;
  relation: string;
  /** The file, or the folder (ending in /), that alone may write the table. */
  owner: string;
}

const AGGREGATES: Aggregate[] = [
  { table: 'Membership', delegate: 'membership', relation: 'memberships', owner: 'src/repos/memberships.ts' },
  { table: 'Attempt', delegate: 'attempt', relation: 'attempts', owner: 'src/repos/attempts/' },
  { table: 'AttemptQuestion', delegate: 'attemptQuestion', relation: 'questions', owner: 'src/repos/attempts/' },
  // Exam tries are written with their attempt; practice submissions by the practice statements.
  { table: 'Submission', delegate: 'submission', relation: 'submissions', owner: 'src/repos/' },
  { table: 'OutboxEvent', delegate: 'outboxEvent', relation: 'outbox', owner: 'src/repos/' },
];

const WRITES = 'create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany';

/** The writes to the aggregate's table in `text`: one line each. */
export function writesIn(text: string, a: Aggregate): string[] {
  const patterns = [
    new RegExp(`\\.${a.delegate}\\s*\\.\\s*(${WRITES})\\s*\\(`),
    new RegExp(`\\b${a.relation}\\s*:\\s*\\{\\s*(${WRITES}|connectOrCreate|set|disconnect)\\b`),
    new RegExp(`(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+"${a.table}"`, 'i'),
  ];
  return text.split('\n').filter((line) => patterns.some((p) => p.test(line)));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(path);
    return /\.(ts|tsx|mts)$/.test(e.name) ? [path] : [];
  });
}

describe('one writer per aggregate', () => {
  it('finds the writes it looks for (the check can fail)', () => {
    const m = AGGREGATES[0];
    expect(writesIn('await tx.membership.update({ where: key })', m)).toHaveLength(1);
    expect(writesIn("data: { title, memberships: { create: { userId, role: 'INSTRUCTOR' } } }", m)).toHaveLength(1);
    expect(writesIn('INSERT INTO "Membership" ("userId") VALUES ($1)', m)).toHaveLength(1);
    expect(writesIn('await prisma.membership.findMany({ where })', m)).toEqual([]);
    expect(writesIn('include: { memberships: { where: { userId } } }', m)).toEqual([]);
  });

  it.each(AGGREGATES)('$table is written by $owner only', (a) => {
    const root = join(import.meta.dirname, '../..');
    const found = sources(join(root, 'src'))
      .map((f) => relative(root, f))
      .filter((f) => (a.owner.endsWith('/') ? !f.startsWith(a.owner) : f !== a.owner))
      .filter((f) => !(a.table === 'OutboxEvent' && f.startsWith('src/webhooks/')))
      .flatMap((f) => writesIn(readFileSync(join(root, f), 'utf8'), a).map((line) => `${f}: ${line.trim()}`));
    expect(found).toEqual([]);
  });
});
