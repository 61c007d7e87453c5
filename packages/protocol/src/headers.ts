/**
 * The header names of the contract (docs/protocol.md). HTTP header names are case-insensitive; these
 * are the spellings sent, and `Headers#get` or a lower-cased lookup finds them either way.
 */

/** On every write attempt, and echoed on every answer to one. */
export const HEADER_KEY = 'Idempotency-Key';
/** `true` on an answer the server replays from its store: applied earlier, not again. */
export const HEADER_REPLAYED = 'Idempotent-Replayed';
/** How long, in seconds, the server keeps a key's stored response: sent on every answer. */
export const HEADER_RETENTION = 'Idempotency-Retention';
/** Which attempt of the client's this is (1 for the first). Informative: for the server's logs. */
export const HEADER_ATTEMPT = 'Landed-Attempt';
/** When the client first sent the write, epoch milliseconds. Informative: for the server's logs. */
export const HEADER_FIRST_SENT = 'Landed-First-Sent';
/** On a replay whose body was dropped after retention: only the status is left (the tombstone). */
export const HEADER_RESPONSE_EXPIRED = 'Landed-Response-Expired';
/** Test-only: asks a server whose fault hooks are on for a fault (`500-before-commit`, `slow:<ms>` …). */
export const HEADER_FAULT = 'Landed-Fault';
/** Standard HTTP: how long to wait before asking again (sent with 409, 429 and 503). */
export const HEADER_RETRY_AFTER = 'Retry-After';
