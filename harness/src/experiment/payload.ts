/**
 * A write as sent, and how a stored body is compared with it: the Checker compares payload texts, and
 * a server that adds its own fields (an id, a timestamp) has still stored the write intact.
 */
import type { WriteFields } from './template.ts';

export interface SentWrite {
  fields: WriteFields;
  body: unknown;
}

/**
 * The payload the Checker compares: the body sent when the stored one has every field of it (a server
 * adds its own, an id or a timestamp), else the stored one as it is.
 */
export function storedPayload(stored: unknown, sent: unknown): string {
  return contains(stored, sent)
    ? JSON.stringify(sent)
    : typeof stored === 'string'
      ? stored
      : JSON.stringify(stored);
}

/** Whether `stored` has every field of `sent` with the same value (deeply). */
export function contains(stored: unknown, sent: unknown): boolean {
  if (sent === undefined) return true;
  if (sent === null || typeof sent !== 'object') return stored === sent;
  if (stored === null || typeof stored !== 'object') return false;
  if (Array.isArray(sent))
    return (
      Array.isArray(stored) && stored.length === sent.length && sent.every((v, i) => contains(stored[i], v))
    );
  return Object.entries(sent).every(([k, v]) => contains((stored as Record<string, unknown>)[k], v));
}
