/**
 * The wire contract (docs/protocol.md): header names, the key grammar and problem+json bodies. Kept in
 * one place so every adapter answers alike.
 */
import type { HeaderBag, IdempotentResponse } from './types.ts';

export const HEADER_KEY = 'Idempotency-Key';
export const HEADER_REPLAYED = 'Idempotent-Replayed';
export const HEADER_RETENTION = 'Idempotency-Retention';
export const HEADER_ATTEMPT = 'Landed-Attempt';
export const HEADER_FIRST_SENT = 'Landed-First-Sent';
export const HEADER_FAULT = 'Landed-Fault';
/** Set on a replay whose body was reaped after retention: only the status is left (the tombstone). */
export const HEADER_RESPONSE_EXPIRED = 'Landed-Response-Expired';

/** Stable codes of every problem the server answers with. */
export type ProblemCode =
  | 'idempotency-key-missing'
  | 'idempotency-key-malformed'
  | 'idempotency-key-in-progress'
  | 'idempotency-key-reused'
  | 'idempotency-key-unknown'
  | 'store-unavailable'
  | 'body-too-large'
  | 'body-not-json'
  | 'handler-failed'
  | 'fault-injected';

export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export type ParsedKey =
  | { kind: 'missing' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'ok'; key: string };

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/**
 * The IETF draft makes the key an sf-string (`"abc"`); Stripe-style clients send it bare. Both are
 * accepted; after unquoting it must be 1–255 visible ASCII characters.
 */
export function parseKey(value: string | undefined): ParsedKey {
  if (value === undefined) return { kind: 'missing' };
  const trimmed = value.trim();
  if (trimmed === '') return { kind: 'missing' };
  let key = trimmed;
  if (trimmed.startsWith('"')) {
    const inner = trimmed.slice(1, -1);
    if (trimmed.length >= 2 && trimmed.endsWith('"') && !inner.includes('"') && !inner.includes('\\')) {
      // The common case, a quoted UUID: nothing escaped (the visible-ASCII check below still applies).
      key = inner;
    } else {
      const match = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(trimmed);
      if (!match) return { kind: 'malformed', reason: 'it is not a well-formed quoted string' };
      key = (match[1] as string).replace(/\\(["\\])/g, '$1');
    }
  }
  if (!VISIBLE_ASCII.test(key)) {
    return {
      kind: 'malformed',
      reason: 'it must be 1 to 255 visible ASCII characters (no spaces or control characters)',
    };
  }
  return { kind: 'ok', key };
}

/** The key as an sf-string, the form the draft prefers in responses. */
export function formatKey(key: string): string {
  return key.includes('"') || key.includes('\\') ? `"${key.replace(/(["\\])/g, '\\$1')}"` : `"${key}"`;
}

const TITLES: Record<ProblemCode, [number, string]> = {
  'idempotency-key-missing': [400, 'Idempotency-Key is missing'],
  'idempotency-key-malformed': [400, 'Idempotency-Key is malformed'],
  'idempotency-key-in-progress': [409, 'A request with this Idempotency-Key is still in progress'],
  'idempotency-key-reused': [422, 'Idempotency-Key reused with a different request'],
  'idempotency-key-unknown': [404, 'No request with this Idempotency-Key was seen'],
  'store-unavailable': [503, 'The idempotency store is unavailable'],
  'body-too-large': [413, 'Request body too large'],
  'body-not-json': [400, 'Request body is not JSON'],
  'handler-failed': [500, 'The request failed and was not applied'],
  'fault-injected': [500, 'Injected fault'],
};

/** An `application/problem+json` answer (RFC 9457) with a stable `code`. */
export function problem(
  code: ProblemCode,
  detail: string,
  headers: Record<string, string> = {},
): IdempotentResponse {
  const [status, title] = TITLES[code];
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `https://landed.dev/problems/${code}`, title, status, detail, code }),
  };
}
