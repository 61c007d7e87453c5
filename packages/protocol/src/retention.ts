/**
 * `Idempotency-Retention`: how long, in seconds, the server replays a key's stored response. A client
 * never re-sends a write blindly past `firstSentAt + retention − margin` (the server may have forgotten
 * the key and would apply it again); it asks the lookup route instead.
 */

/** `Idempotency-Retention` in seconds; undefined when absent or not a positive integer. */
export function parseRetention(value: string | null | undefined): number | undefined {
  if (value == null || !/^\d+$/.test(value.trim())) return undefined;
  const seconds = Number(value.trim());
  return seconds > 0 ? seconds : undefined;
}

/** The header value for a retention of `seconds`. */
export function formatRetention(seconds: number): string {
  return String(seconds);
}
