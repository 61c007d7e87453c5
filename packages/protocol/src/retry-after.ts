/** `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. */

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date; undefined when absent or nonsense. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Seconds as delta-seconds: a whole, non-negative number (a fraction is rounded up, never down to 0). */
export function formatRetryAfter(seconds: number): string {
  return String(Number.isInteger(seconds) && seconds >= 0 ? seconds : Math.max(0, Math.ceil(seconds)));
}
