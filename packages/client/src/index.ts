/**
 * @landed/client — every write an app sends over HTTP lands exactly once, or a person is told plainly
 * that it did not. The core assumes no platform: stores, clock, online signal and leadership are
 * injected (`@landed/client/node` and `@landed/client/browser` hold the platform parts).
 */

export { backoffDelay } from './core/backoff.ts';
export type { Classification, Classified } from './core/classify.ts';
export { classifyError, classifyResponse } from './core/classify.ts';
export { createClient } from './core/create-client.ts';
export {
  formatKey,
  HEADER_ATTEMPT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_REPLAYED,
  HEADER_RETENTION,
  parseKeyHeader,
  parseRetention,
  parseRetryAfter,
} from './core/protocol.ts';
export { realClock } from './core/runtime-defaults.ts';
export type { LandedErrorCode } from './errors/LandedError.ts';
export { isLandedError, LandedError } from './errors/LandedError.ts';
export type { MemoryStore } from './store/memory.ts';
export { memoryStore } from './store/memory.ts';
export type {
  Client,
  ClientEvents,
  ClientOptions,
  Summary,
  Transition,
  WriteHandle,
  WriteRequest,
} from './types/client.ts';
export type {
  AttemptRecord,
  Entry,
  EntryState,
  JsonValue,
  LastError,
  LogRecord,
  Outcome,
  ReportKind,
  TerminalState,
  TransitionRecord,
  WriteMethod,
} from './types/entry.ts';
export { TERMINAL_STATES } from './types/entry.ts';
export type { AttemptEnd, AttemptInfo, AttemptOutcome, WriteObserver } from './types/observer.ts';
export type { ReportEvent, Reporter } from './types/reporter.ts';
export type { Clock, FocusSignal, OnlineSignal } from './types/runtime.ts';
export type {
  ChannelMessage,
  Leadership,
  Lease,
  OutboxChannel,
  OutboxStore,
  QuarantinedRecord,
  ServerFacts,
  StoreChange,
  StoreCommitOptions,
  StoreLoad,
} from './types/store.ts';
