/** allPages(fetchPage): every item of a paginated list (the API caps pages at 100). */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; total: number; pageSize: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const r = await fetchPage(page);
    items.push(...r.items);
    if (items.length >= r.total || r.items.length < r.pageSize || page >= 50) return items;
  }
}
