/**
 * Options of `createIdempotency()`, documented once here, checked before anything is served, and
 * resolved (defaults applied, the headers every answer carries built once) for the core's parts.
 */
import { formatKey, formatRetention, formatRetryAfter, HEADER_KEY, HEADER_RETENTION } from '@landed/protocol';
import { IdempotencyError } from '../errors/IdempotencyError.ts';
import { createFaults, type FaultOptions, type FaultRuntime } from './faults.ts';
import { fingerprint as defaultFingerprint } from './fingerprint.ts';
import { problem } from './protocol.ts';
import type { IdempotencyStore, IdempotentRequest, IdempotentResponse } from './types.ts';

/** What the reaper needs of a runtime's timers: `globalThis` everywhere, or a test's own clock. */
export interface ReaperTimers {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: never): void;
}

export interface IdempotencyOptions<Tx> {
  /** Where keys and stored responses live: `memoryStore()`, `sqliteStore()` or `postgresStore()`. */
  store: IdempotencyStore<Tx>;
  /**
   * The tenant or principal a key belongs to. The same key under two scopes is two keys: one principal
   * can never read, replay or block another's. Return a constant only for single-tenant apps.
   */
  scope: (request: IdempotentRequest) => string | Promise<string>;
  /**
   * What makes two requests "the same". A key reused with another fingerprint is answered 422.
   * @default sha-256 over method, path and canonical JSON body (`fingerprint()`)
   */
  fingerprint?: (request: IdempotentRequest, body: unknown) => string | Promise<string>;
  /**
   * How long a stored response is replayed, in seconds; published in `Idempotency-Retention`.
   * @default 86400 (one day)
   */
  retentionSec?: number;
  /**
   * How long, from completion, the tombstone (scope, key, fingerprint, status) is kept, in seconds. A
   * retry between retention and this is answered with the stored status and no body, never run again.
   * @default 604800 (seven days)
   */
  tombstoneSec?: number;
  /**
   * A `started` record older than this belongs to a request whose process died: the next attempt takes it over.
   * @default 30000
   */
  lockTimeoutMs?: number;
  /**
   * `GET {lookupPath}/{key}` answers what became of a key (200, 404, 409), in the caller's scope. `null` turns it off.
   * @default '/idempotency'
   */
  lookupPath?: string | null;
  /**
   * Refuse writes (POST, PUT, PATCH, DELETE) without a key with 400. When false they run without idempotency.
   * @default true
   */
  requireKey?: boolean;
  /**
   * Largest accepted request body, in bytes; larger is answered 413.
   * @default 1048576
   */
  maxBodyBytes?: number;
  /**
   * `Retry-After` seconds sent with 409 and 503.
   * @default 1
   */
  retryAfterSec?: number;
  /**
   * How often expired bodies and tombstones are reaped; 0 turns the timer off (call `reap()` yourself).
   * @default 60000
   */
  reapIntervalMs?: number;
  /** Test-only fault hooks (see docs/server.md). Off unless enabled; never on in production. */
  faults?: FaultOptions;
  /**
   * The clock, in epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
  /**
   * The timers the reaper runs on (`setInterval` / `clearInterval`). A handle with `unref()` (Node,
   * Bun) is unref'd, so the reaper never keeps a process alive.
   * @default globalThis
   */
  timers?: ReaperTimers;
  /**
   * Told about handler errors and store failures (the HTTP client only gets a problem+json).
   * @default logs them with console.error
   */
  onError?: (error: unknown, request: IdempotentRequest) => void;
}

/** Throws `invalid-options` with what to fix, before anything is served with a broken configuration. */
export function validateOptions<Tx>(options: IdempotencyOptions<Tx>): void {
  const fail = (message: string) => {
    throw new IdempotencyError('invalid-options', `createIdempotency(): ${message}`);
  };
  const {
    store,
    scope,
    retentionSec = 86_400,
    tombstoneSec = 7 * 86_400,
    lookupPath,
  } = options ?? ({} as IdempotencyOptions<Tx>);
  if (!store || typeof store.begin !== 'function')
    fail('`store` is required (memoryStore(), sqliteStore() or postgresStore()).');
  if (typeof scope !== 'function')
    fail('`scope` must be a function of the request returning the tenant or principal.');
  if (!(retentionSec > 0) || !(tombstoneSec >= retentionSec))
    fail('`retentionSec` must be positive and `tombstoneSec` at least `retentionSec`.');
  if (lookupPath !== undefined && lookupPath !== null && !lookupPath.startsWith('/'))
    fail('`lookupPath` must start with "/" (or be null).');
}

/** The options with their defaults, and what the core's parts derive from them. */
export interface Settings<Tx> {
  store: IdempotencyStore<Tx>;
  /** `scope()`, refusing anything that is not a string (it would merge tenants, or fail deep in the store). */
  scopeOf(request: IdempotentRequest): Promise<string>;
  fingerprint(request: IdempotentRequest, body: unknown): string | Promise<string>;
  retentionSec: number;
  tombstoneSec: number;
  /** How long a tombstone outlives its response, in milliseconds. */
  graceMs: number;
  lockTimeoutMs: number;
  lookupPath: string | null;
  requireKey: boolean;
  maxBodyBytes: number;
  reapIntervalMs: number;
  now: () => number;
  timers: ReaperTimers;
  onError(error: unknown, request: IdempotentRequest): void;
  faults: FaultRuntime;
  /** `Idempotency-Retention`, on every answer. */
  retention: Record<string, string>;
  /** `Retry-After`, with 409 and 503. */
  retryAfter: Record<string, string>;
  /** The key echoed, and the retention: on every answer to a keyed request. */
  echo(key: string): Record<string, string>;
  /** 503: the store could not be reached, nothing was applied (told to `onError` when `request` is given). */
  unavailable(key: string | undefined, error: unknown, request?: IdempotentRequest): IdempotentResponse;
}

export function resolveOptions<Tx>(options: IdempotencyOptions<Tx>): Settings<Tx> {
  validateOptions(options);
  const {
    store,
    scope,
    fingerprint = (request: IdempotentRequest, body: unknown) =>
      defaultFingerprint(request.method, request.path, body),
    retentionSec = 86_400,
    tombstoneSec = 7 * 86_400,
    lockTimeoutMs = 30_000,
    lookupPath = '/idempotency',
    requireKey = true,
    maxBodyBytes = 1_048_576,
    retryAfterSec = 1,
    reapIntervalMs = 60_000,
    now = Date.now,
    timers = globalThis,
    onError = (error: unknown, request: IdempotentRequest) =>
      console.error(`[landed] ${request.method} ${request.path} failed:`, error),
  } = options;
  const retention = { [HEADER_RETENTION]: formatRetention(retentionSec) };
  const retryAfter = { 'retry-after': formatRetryAfter(retryAfterSec) };
  const echo = (key: string) => ({ [HEADER_KEY]: formatKey(key), ...retention });
  return {
    store,
    async scopeOf(request) {
      const value: unknown = await scope(request);
      if (typeof value !== 'string')
        throw new TypeError(`scope() must return a string, it returned ${typeof value}`);
      return value;
    },
    fingerprint,
    retentionSec,
    tombstoneSec,
    graceMs: (tombstoneSec - retentionSec) * 1000,
    lockTimeoutMs,
    lookupPath,
    requireKey,
    maxBodyBytes,
    reapIntervalMs,
    now,
    timers,
    onError,
    faults: createFaults(options.faults),
    retention,
    retryAfter,
    echo,
    unavailable(key, error, request) {
      if (request) onError(error, request);
      return problem(
        'store-unavailable',
        'The idempotency store could not be reached, so nothing was applied. Retry with the same key.',
        { ...(key === undefined ? retention : echo(key)), ...retryAfter },
      );
    },
  };
}
