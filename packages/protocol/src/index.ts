/**
 * `@landed/protocol`: the Idempotency-Key contract the Landed client and server both speak
 * (docs/protocol.md states it normatively). Header names, the key grammar, `Retry-After`, the
 * published retention, the lookup route and problem codes, in one place so the two sides cannot drift.
 * Runtime-neutral: Web APIs only (`crypto.getRandomValues`), no Node built-ins.
 */
export {
  HEADER_ATTEMPT,
  HEADER_FAULT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_REPLAYED,
  HEADER_RESPONSE_EXPIRED,
  HEADER_RETENTION,
  HEADER_RETRY_AFTER,
} from './headers.ts';
export {
  formatKey,
  generateKey,
  isValidKey,
  type KeyFormat,
  type ParsedKey,
  parseKey,
  parseKeyHeader,
} from './key.ts';
export { DEFAULT_LOOKUP_PATH, decodeLookupSegment, lookupSegment, lookupTarget } from './lookup.ts';
export { KEY_REUSED_PROBLEM, PROBLEM_TYPE_BASE, type ProblemCode, problemType } from './problems.ts';
export { formatRetention, parseRetention } from './retention.ts';
export { formatRetryAfter, parseRetryAfter } from './retry-after.ts';
