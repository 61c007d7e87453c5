/**
 * The wire contract with the server, from `@landed/protocol` (docs/protocol.md states it normatively):
 * the client, its tests and the harness import it from here, and the server from the same module, so
 * the two sides agree on every header name and on the key grammar.
 */
export {
  DEFAULT_LOOKUP_PATH,
  formatKey,
  generateKey,
  HEADER_ATTEMPT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_REPLAYED,
  HEADER_RETENTION,
  KEY_REUSED_PROBLEM,
  lookupTarget,
  parseKeyHeader,
  parseRetention,
  parseRetryAfter,
} from '@landed/protocol';
