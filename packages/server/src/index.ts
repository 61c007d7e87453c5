/**
 * `@landed/server`: the server side of the Landed contract. The framework-free core, the memory store
 * (tests only), the fingerprint and the protocol constants. Stores and adapters live in subpath
 * entries: `@landed/server/sqlite`, `/postgres`, `/node-http`, `/express`, `/fastify`, `/hono`.
 */
export { abortOnFault } from './adapter/abort-on-fault.ts';
export { createIdempotency, FaultExit, type Idempotency } from './core/create-idempotency.ts';
export { createFaults, type FaultKind, type FaultOptions, type Faults, parseFault } from './core/faults.ts';
export { canonicalJson, fingerprint } from './core/fingerprint.ts';
export type { IdempotencyOptions, ReaperTimers } from './core/options.ts';
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
  problem,
  readHeader,
} from './core/protocol.ts';
export type {
  BeginResult,
  ClaimInput,
  FinishInput,
  Handler,
  HandlerContext,
  HandlerResult,
  HeaderBag,
  IdempotencyStore,
  IdempotentRequest,
  IdempotentResponse,
  StoredRecord,
} from './core/types.ts';
export {
  IdempotencyError,
  type IdempotencyErrorCode,
  isIdempotencyError,
} from './errors/IdempotencyError.ts';
export { type MemoryStore, type MemoryTx, memoryStore } from './store/memory/index.ts';
