/**
 * The lookup route: `GET {lookupPath}/{key}` answers what became of a key, in the caller's scope — 200
 * with the stored outcome, 404 never seen (or past its tombstone), 409 still in progress. The key is
 * one path segment, percent-encoded.
 */

/** Where both sides look unless configured otherwise. */
export const DEFAULT_LOOKUP_PATH = '/idempotency';

/** The path (relative to the server's origin) that looks `key` up. */
export function lookupTarget(lookupPath: string, key: string): string {
  return `${lookupPath}/${encodeURIComponent(key)}`;
}

/**
 * The still-encoded key segment when `method` and `path` (query allowed) ask the lookup route,
 * otherwise undefined. Only GET and HEAD look up; a bare `{lookupPath}/` is not a lookup.
 */
export function lookupSegment(lookupPath: string | null, method: string, path: string): string | undefined {
  if (lookupPath === null) return undefined;
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD') return undefined;
  const query = path.indexOf('?');
  const pathname = query === -1 ? path : path.slice(0, query);
  if (!pathname.startsWith(`${lookupPath}/`) || pathname.length <= lookupPath.length + 1) return undefined;
  return pathname.slice(lookupPath.length + 1);
}

/** The key a lookup segment names, decoded; undefined when its percent-encoding is broken. */
export function decodeLookupSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
