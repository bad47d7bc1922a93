/** Recognising database errors the domain code reacts to. */

/**
 * A unique-constraint violation: P2002 from a model query, P2010 carrying the driver's
 * UniqueConstraintViolation (SQLSTATE 23505) from a raw query, or 23505 from the driver.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } } | null;
  // P2002 from Prisma; 23505 from the driver itself (raw.ts).
  if (e?.code === 'P2002' || e?.code === '23505') return true;
  const cause = e?.meta?.driverAdapterError?.cause;
  return e?.code === 'P2010' && (cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505');
}

/** A lost or refused connection, or a server shutting down (SQLSTATE classes 08 and 57P). */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(08...|57P0[1-3])$/.test(code);
}

/**
 * A statement refused for its data (SQLSTATE class 22, data exception, or 23, integrity
 * violation) was rolled back for certain; anything else (a lost connection) may have committed.
 */
export function isRefusedForItsData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]...$/.test(code);
}
