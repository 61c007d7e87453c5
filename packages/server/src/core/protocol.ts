/**
 * The wire contract as the server answers it: header names and the key grammar come from
 * `@landed/protocol` (shared with the client); problem+json bodies are built here, so every adapter
 * answers alike.
 */
import { type ProblemCode, problemType } from '@landed/protocol';
import type { HeaderBag, IdempotentResponse } from './types.ts';

export {
  formatKey,
  HEADER_ATTEMPT,
  HEADER_FAULT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_REPLAYED,
  HEADER_RESPONSE_EXPIRED,
  HEADER_RETENTION,
  type ParsedKey,
  type ProblemCode,
  parseKey,
} from '@landed/protocol';

export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
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
    body: JSON.stringify({ type: problemType(code), title, status, detail, code }),
  };
}
