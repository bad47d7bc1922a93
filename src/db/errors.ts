/** Recognising database errors the domain code reacts to. */

/**
 * A unique-constraint violation: P2002 from a model query, or P2010 carrying the driver's
 * UniqueConstraintViolation (SQLSTATE 23505) from a raw query.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } } | null;
  if (e?.code === 'P2002') return true;
  const cause = e?.meta?.driverAdapterError?.cause;
  return e?.code === 'P2010' && (cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505');
}
