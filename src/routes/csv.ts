/** CSV downloads: by `Accept: text/csv` (JSON stays the default), streamed a page at a time. */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Whether the client asked for CSV (and not JSON first). */
export function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/^\s*application\/json\b/i.test(accept);
}

export function sendCsv(reply: FastifyReply, fileName: string, chunks: AsyncIterable<string>) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .header('vary', 'accept')
    .send(Readable.from(chunks));
}
