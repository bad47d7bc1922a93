/** originOf(url): the scheme://host[:port] of a URL, normalised (lower case, default port dropped); undefined if it has none. */
export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
