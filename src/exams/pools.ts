/**
 * Pools: which problem templates a blueprint section may draw from, and whether a blueprint
 * can be satisfied at all (every attempt gets `count` problems per section, never the same
 * template twice).
 */
import type { CourseCatalogue } from '../catalogue/catalogue.js';
import { AppError, unprocessable } from '../errors.js';
import type { Blueprint, Pool } from './blueprint.js';

export interface ResolvedPool {
  /** The pool's templates (internal ids): explicit ones in the order given (duplicates dropped), a filter's sorted by slug. */
  templateIds: string[];
  /** For a grouped pool: the groups as given (duplicates within a group dropped); their union is templateIds. */
  groups?: string[][];
}

/** Whether the pool selects by topic, tags or difficulty. */
function hasFilter(pool: Pool): boolean {
  return pool.topic !== undefined || pool.tags !== undefined || pool.difficulty !== undefined;
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

const poolInvalid = (unknown: string[]) => unprocessable('POOL_INVALID', `unknown template ids: ${unknown.join(', ')}`, { unknown });

/**
 * resolvePool(catalogue, pool): the templates a pool stands for in a course (its snapshot:
 * the built-ins and the course's own published templates, which shadow built-ins of their
 * slug). Explicit `templates` or `groups` must all be visible there (422 POOL_INVALID naming
 * the others); a filter (topic, tags — all must match —, difficulty — any of) selects from it,
 * sorted by slug.
 *
 * @example resolvePool(await app.catalogue.of(courseId), { topic: 'cnn', difficulty: [1, 2] }) // { templateIds: ['conv-output-size', …] }
 */
export function resolvePool(catalogue: CourseCatalogue, pool: Pool): ResolvedPool {
  if (pool.templates || pool.groups) {
    const idOf = (slug: string) => catalogue.get(slug)?.id ?? slug;
    const groups = pool.groups?.map((g) => unique(g.map(idOf)));
    const named = unique(pool.templates ?? (pool.groups ?? []).flat());
    const unknown = named.filter((slug) => !catalogue.get(slug));
    if (unknown.length) throw poolInvalid(unknown);
    const templateIds = unique(named.map(idOf));
    return groups ? { templateIds, groups } : { templateIds };
  }
  if (!hasFilter(pool)) return { templateIds: [] }; // the schema refuses such pools
  const all = catalogue.all();
  const rows = all.filter(
    (t) =>
      (pool.topic === undefined || t.topic === pool.topic) &&
      (pool.tags === undefined || pool.tags.every((tag) => t.tags.includes(tag))) &&
      (pool.difficulty === undefined || pool.difficulty.includes(t.difficulty)),
  );
  if (rows.length === 0) assertFilterValuesExist(all, pool);
  return { templateIds: rows.map((r) => r.id) };
}

/** A filter that matches nothing because it names a topic or tag no template has: 422 POOL_INVALID naming them. */
function assertFilterValuesExist(all: readonly { topic: string; tags: string[] }[], pool: Pool): void {
  const unknownTopic = pool.topic !== undefined && !all.some((t) => t.topic === pool.topic) ? pool.topic : undefined;
  const unknownTags = (pool.tags ?? []).filter((tag) => !all.some((t) => t.tags.includes(tag)));
  const named = [...(unknownTopic !== undefined ? [`topic '${unknownTopic}'`] : []), ...unknownTags.map((t) => `tag '${t}'`)];
  if (named.length) {
    throw unprocessable('POOL_INVALID', `no template has the ${named.join(' or the ')}`, {
      unknown: [],
      ...(unknownTopic !== undefined ? { unknownTopic } : {}),
      ...(unknownTags.length ? { unknownTags } : {}),
    });
  }
}

/**
 * resolveBlueprintPools(catalogue, blueprint): every section's pool resolved, in section order.
 * An unknown explicit id is a 422 POOL_INVALID whose details name the section and the ids.
 */
export function resolveBlueprintPools(catalogue: CourseCatalogue, blueprint: Blueprint): ResolvedPool[] {
  const resolved: ResolvedPool[] = [];
  const invalid: ({ section: number; unknown: string[] } & Record<string, unknown>)[] = [];
  const messages: string[] = [];
  for (const [section, s] of blueprint.sections.entries()) {
    try {
      resolved.push(resolvePool(catalogue, s.pool));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'POOL_INVALID') throw err;
      const details = err.details as { unknown: string[] } & Record<string, unknown>;
      invalid.push({ section, ...details });
      messages.push(
        details.unknown.length ? `section ${section + 1}: unknown template ids: ${details.unknown.join(', ')}` : `section ${section + 1}: ${err.message}`,
      );
      resolved.push({ templateIds: [] });
    }
  }
  if (invalid.length) throw unprocessable('POOL_INVALID', messages.join('; '), invalid);
  return resolved;
}

/** A section whose pool is too small, or a set of sections whose pools together are. */
export type Shortfall = { section: number; available: number; count: number } | { sections: number[]; available: number; count: number };

/**
 * shortfalls(pools, counts): why no attempt could draw `counts[i]` distinct templates from
 * `pools[i]` for every section without using a template twice — [] when one can.
 *
 * A section whose own pool is too small is reported alone. Otherwise the draws must be a
 * matching of section slots to distinct templates; overlapping pools can make that impossible
 * even when the pools' union is big enough (two one-problem sections over the same single
 * template). A maximum flow finds the best assignment, and when it falls short, the sections
 * on the source side of the minimum cut are a set whose pools together hold fewer templates
 * than they need (Hall's condition), which is what is reported.
 */
export function shortfalls(pools: readonly (readonly string[])[], counts: readonly number[]): Shortfall[] {
  const single: Shortfall[] = [];
  const adjIds = pools.map(unique);
  adjIds.forEach((p, section) => {
    const count = counts[section];
    if (p.length < count) single.push({ section, available: p.length, count });
  });
  if (single.length) return single;

  // Flow network: source → section (capacity count) → template (1) → sink (1). A template
  // goes to at most one section, so the flow is kept as holder[t] (that section, or -1) and
  // used[s] (how many templates section s has).
  const templates = unique(adjIds.flat());
  const index = new Map(templates.map((t, i) => [t, i]));
  const adj = adjIds.map((p) => p.map((t) => index.get(t) as number));
  const holder = new Array<number>(templates.length).fill(-1);
  const used = new Array<number>(pools.length).fill(0);

  // One breadth-first search for an augmenting path from every section with spare capacity:
  // section → template along an edge it does not use; a taken template → the section holding it
  // (which would give it up). A free template ends the path. Returns the sections reached.
  const augment = (): { found: boolean; reached: Set<number> } => {
    const cameFrom = new Map<number, number>(); // template → the section that reached it
    const via = new Map<number, number>(); // section → the template it was reached through (-1: the source)
    const queue: number[] = [];
    for (const [s, count] of counts.entries()) {
      if (used[s] < count) {
        via.set(s, -1);
        queue.push(s);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head];
      for (const t of adj[s]) {
        if (holder[t] === s || cameFrom.has(t)) continue;
        cameFrom.set(t, s);
        const h = holder[t];
        if (h === -1) {
          // Flip the path: each section on it takes the next template and gives up the one it came through.
          let tt = t;
          for (;;) {
            const sec = cameFrom.get(tt) as number;
            holder[tt] = sec;
            const prev = via.get(sec) as number;
            if (prev === -1) {
              used[sec] = used[sec] + 1;
              break;
            }
            tt = prev;
          }
          return { found: true, reached: new Set(via.keys()) };
        }
        if (!via.has(h)) {
          via.set(h, t);
          queue.push(h);
        }
      }
    }
    return { found: false, reached: new Set(via.keys()) };
  };

  for (;;) {
    const { found, reached } = augment();
    if (!found) {
      if (!reached.size) return []; // every section is served
      // The sections reached hold every template their pools share (else a path would exist).
      const sections = [...reached].sort((a, b) => a - b);
      const available = new Set(sections.flatMap((s) => adj[s])).size;
      const count = sections.reduce((sum, s) => sum + counts[s], 0);
      return [{ sections, available, count }];
    }
  }
}

/** A group of a grouped pool too small for its share of the section's draws. */
export interface GroupShortfall {
  section: number;
  group: number;
  available: number;
  count: number;
}

/**
 * groupShortfalls(pools, counts): the groups that cannot supply their share. An attempt draws
 * a grouped section round-robin over its groups in a random order (src/exams/draw.ts), so any
 * group may have to supply ceil(count / groups) distinct templates.
 */
export function groupShortfalls(pools: readonly ResolvedPool[], counts: readonly number[]): GroupShortfall[] {
  return pools.flatMap((p, section) => {
    if (!p.groups) return [];
    const share = Math.ceil(counts[section] / p.groups.length);
    return p.groups.flatMap((g, group) => (g.length < share ? [{ section, group, available: g.length, count: share }] : []));
  });
}

function describeShortfall(s: Shortfall | GroupShortfall): string {
  if ('sections' in s) return `sections ${s.sections.join(', ')} together need ${s.count} distinct templates, their pools have ${s.available}`;
  if ('group' in s) return `section ${s.section} group ${s.group} must supply ${s.count} templates, it has ${s.available}`;
  return `section ${s.section} needs ${s.count} templates, its pool has ${s.available}`;
}

/**
 * checkBlueprint(catalogue, blueprint): the sections' resolved pools, after checking that every
 * attempt can draw each section's `count` templates without using a template twice (a
 * template may sit in several pools, but the sections must be able to share them out);
 * otherwise 422 BLUEPRINT_UNSATISFIABLE with `details: [{ section, available, count }]`, or
 * `[{ sections, available, count }]` when only sections together fall short, plus
 * `{ section, group, available, count }` for a group of a grouped pool that is too small.
 * Unknown explicit ids: 422 POOL_INVALID.
 */
export function checkBlueprint(catalogue: CourseCatalogue, blueprint: Blueprint): ResolvedPool[] {
  const pools = resolveBlueprintPools(catalogue, blueprint);
  const counts = blueprint.sections.map((s) => s.count);
  const short = [
    ...shortfalls(
      pools.map((p) => p.templateIds),
      counts,
    ),
    ...groupShortfalls(pools, counts),
  ];
  if (short.length) throw unprocessable('BLUEPRINT_UNSATISFIABLE', short.map(describeShortfall).join('; '), short);
  return pools;
}
