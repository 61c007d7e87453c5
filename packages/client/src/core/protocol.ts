/**
 * The wire contract with the server (docs/protocol.md states it normatively). Kept in one place so the
 * client, the tests and the harness agree on every header name.
 */
export const HEADER_KEY = 'Idempotency-Key';
export const HEADER_REPLAYED = 'Idempotent-Replayed';
export const HEADER_RETENTION = 'Idempotency-Retention';
export const HEADER_ATTEMPT = 'Landed-Attempt';
export const HEADER_FIRST_SENT = 'Landed-First-Sent';
/**
 * The problem type (RFC 9457) a server names a 422 by when a key came back with another payload:
 * `"type": "…/idempotency-key-reused"` or `"code": "idempotency-key-reused"`. A 422 without it is an
 * ordinary validation answer.
 */
export const KEY_REUSED_PROBLEM = 'idempotency-key-reused';

/** The IETF draft makes the key an sf-string (quoted); Stripe-style servers take it bare. */
export function formatKey(key: string, format: 'quoted' | 'unquoted'): string {
  return format === 'quoted' ? `"${key}"` : key;
}

/** Accepts both forms, so a server echoing either is understood. */
export function parseKeyHeader(value: string | null): string | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    const inner = trimmed.slice(1, -1);
    return inner.includes('\\') ? inner.replace(/\\(["\\])/g, '$1') : inner;
  }
  return trimmed || undefined;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date; undefined when absent or nonsense. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** `Idempotency-Retention` in seconds; undefined when absent or not a positive integer. */
export function parseRetention(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  const seconds = Number(value.trim());
  return seconds > 0 ? seconds : undefined;
}
