/**
 * An exam's scores as a CSV file for an LMS gradebook import, in the columns Canvas reads
 * (its GradebookImporter): `Student, ID, SIS User ID, SIS Login ID, Section`, then one column
 * for the exam; a `Points Possible` row; then one row per student of the course, with an empty
 * score for those without a finished attempt (Canvas leaves an empty cell as it is).
 *
 * - The exam's column is headed by its title alone. Canvas reads a header `Title (123)` as
 *   its assignment 123: a header with the points in parentheses would overwrite whichever
 *   assignment of the course has that number, or create a duplicate at every import. The
 *   points possible are in their own row, where Canvas reads them.
 * - ID is left empty: Canvas takes it as its own numeric user id and reads a UUID by its leading
 *   digits ("4821bd…" as user 4821), which could be another student. Canvas then matches the
 *   row by SIS Login ID (the email), and last by name.
 * - Fields are quoted per RFC 4180 (CRLF line ends), and a text cell that a spreadsheet would
 *   run as a formula (= + - @, tab, CR) starts with an apostrophe: names and titles come from users.
 */
import type { FastifyInstance } from 'fastify';
import type { ExamRef } from '../authz/index.js';
import { blueprintMaxPoints } from './blueprint.js';
import { rosterScores, type RosterScore } from './scores.js';

/** csvText(s): a text field, defused against formula injection and quoted if it needs to be. */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Points as Canvas's own export writes them: at most two decimals (Canvas compares imports at that precision). */
export function csvPoints(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** One CSV record of already-escaped fields, CRLF-terminated (RFC 4180). */
export const csvLine = (fields: string[]) => `${fields.join(',')}\r\n`;
const line = csvLine;

function studentLine(s: RosterScore): string {
  return line([csvText(s.name), '', '', csvText(s.email), '', s.score ? csvPoints(s.score.points) : '']);
}

/** A file name for the download: the title in plain letters and digits, ASCII only. */
export function scoresFileName(title: string): string {
  const stem = title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .toLowerCase();
  return `${stem || 'exam'}-scores.csv`;
}

/**
 * openScoresCsv(app, ref (staff)): the CSV file as an iterable of text chunks (the header, then
 * one chunk per page of students), to stream. The first page is read before this returns, so
 * a failure there (the database) is an ordinary error response, not a cut-off download.
 */
export async function openScoresCsv(app: FastifyInstance, ref: ExamRef): Promise<AsyncIterable<string>> {
  const pages = rosterScores(app, ref);
  const first = await pages.next();
  const head =
    line(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', csvText(ref.exam.title)]) +
    line(['Points Possible', '', '', '', '', csvPoints(blueprintMaxPoints(ref.blueprint))]);
  return (async function* () {
    yield head;
    if (first.done) return;
    yield first.value.map(studentLine).join('');
    for await (const page of pages) yield page.map(studentLine).join('');
  })();
}
