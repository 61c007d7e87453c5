/**
 * The idempotency core: one request, one transaction. A first request claims `(scope, key)` as
 * `started` (the unique key decides races, across processes), then runs the handler in the business
 * transaction that also marks the record `finished` with the response, so the business write and the
 * record commit together or not at all. A handler that throws or answers 5xx rolls back and unlocks.
 * Runtime-neutral: Web Crypto and injected timers, no Node built-ins.
 */
import { generateKey } from '@landed/protocol';
import { isIdempotencyError } from '../errors/IdempotencyError.ts';
import { lookupAnswer, replayAnswer } from './answers.ts';
import { decodeBody } from './body.ts';
import { createFaults, type FaultKind, type Faults } from './faults.ts';
import { fingerprint as defaultFingerprint } from './fingerprint.ts';
import { type IdempotencyOptions, validateOptions } from './options.ts';
import {
  formatKey,
  HEADER_ATTEMPT,
  HEADER_FAULT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_RETENTION,
  parseKey,
  problem,
  readHeader,
} from './protocol.ts';
import { isValidResult, replayableHeaders, serialize } from './response.ts';
import type {
  BeginResult,
  Handler,
  HandlerResult,
  IdempotentRequest,
  IdempotentResponse,
  StoredRecord,
} from './types.ts';

/** Thrown by `handle()` after `exit-after-commit` when `exit` returned: the adapter drops the connection unanswered. */
export class FaultExit extends Error {
  override name = 'FaultExit';
}

export interface Idempotency<Tx> {
  /** Runs `handler` under the protocol, or answers without running it (replay, 409, 422, 400 …). */
  handle(request: IdempotentRequest, handler: Handler<Tx>): Promise<IdempotentResponse>;
  /** What became of `key` in `scope`: 200 stored outcome, 404 never seen, 409 in progress. */
  lookup(scope: string, key: string): Promise<IdempotentResponse>;
  /** True when `request` is a lookup (`GET {lookupPath}/{key}`). */
  isLookup(request: Pick<IdempotentRequest, 'method' | 'path'>): boolean;
  /** Drops expired bodies and tombstones now. */
  reap(): Promise<{ reaped: number; purged: number }>;
  /** Stops the reaper timer (the store is closed by its owner). */
  close(): void;
  readonly faults: Faults;
  readonly retentionSec: number;
  readonly lookupPath: string | null;
  /** Adapters read bodies up to this many bytes. */
  readonly maxBodyBytes: number;
  /** True for the methods the protocol governs (POST, PUT, PATCH, DELETE). */
  isWrite(method: string): boolean;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The client's attempt number and first-sent time, when it sent them as plain integers. */
function clientHints(request: IdempotentRequest): {
  attempt: number | undefined;
  firstSentAt: number | undefined;
} {
  const int = (name: string) => {
    const value = readHeader(request.headers, name)?.trim();
    return value && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  };
  return { attempt: int(HEADER_ATTEMPT), firstSentAt: int(HEADER_FIRST_SENT) };
}

type RollbackReason =
  | { why: 'lock-lost' }
  | { why: 'handler-threw'; error: unknown }
  | { why: 'server-error'; result: HandlerResult }
  | { why: 'fault' };

interface Attempt {
  scope: string;
  key: string;
  token: string;
  body: unknown;
  fault: FaultKind | undefined;
}

class Rollback extends Error {
  readonly reason: RollbackReason;
  constructor(reason: RollbackReason) {
    super(`rolled back: ${reason.why}`);
    this.reason = reason;
  }
}

export function createIdempotency<Tx>(options: IdempotencyOptions<Tx>): Idempotency<Tx> {
  const {
    store,
    scope: scopeOf,
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
  validateOptions(options);
  // A scope that is not a string would merge tenants (or fail deep in the store): refuse it here.
  const scopeOfRequest = async (request: IdempotentRequest): Promise<string> => {
    const scope: unknown = await scopeOf(request);
    if (typeof scope !== 'string')
      throw new TypeError(`scope() must return a string, it returned ${typeof scope}`);
    return scope;
  };
  const faults = createFaults(options.faults);
  const grace = (tombstoneSec - retentionSec) * 1000;
  const retention = { [HEADER_RETENTION]: String(retentionSec) };
  const retryAfter = { 'retry-after': String(retryAfterSec) };
  let reaper: unknown;

  const startReaper = () => {
    if (reaper !== undefined || reapIntervalMs <= 0) return;
    reaper = timers.setInterval(() => void store.reap(now(), grace).catch(() => {}), reapIntervalMs);
    // Node and Bun: the reaper alone must not keep the process alive.
    (reaper as { unref?: () => void }).unref?.();
  };

  const echo = (key: string) => ({ [HEADER_KEY]: formatKey(key), ...retention });
  const unavailable = (key: string | undefined, error: unknown, request?: IdempotentRequest) => {
    if (request) onError(error, request);
    return problem(
      'store-unavailable',
      'The idempotency store could not be reached, so nothing was applied. Retry with the same key.',
      { ...(key === undefined ? retention : echo(key)), ...retryAfter },
    );
  };

  const isLookup = (request: Pick<IdempotentRequest, 'method' | 'path'>) => {
    if (lookupPath === null) return false;
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return false;
    const pathname = request.path.split('?')[0] as string;
    return pathname.startsWith(`${lookupPath}/`) && pathname.length > lookupPath.length + 1;
  };

  const replay = (record: StoredRecord, key: string) => replayAnswer(record, now(), echo(key));

  async function lookup(scope: string, key: string): Promise<IdempotentResponse> {
    let record: StoredRecord | undefined;
    try {
      record = await store.get(scope, key);
    } catch (error) {
      return unavailable(key, error);
    }
    return lookupAnswer(record, key, now(), echo(key), retryAfter);
  }

  async function passthrough(request: IdempotentRequest, handler: Handler<Tx>, body: unknown, scope: string) {
    try {
      return await store.transaction(async (tx) => {
        const result = await handler({ tx, key: undefined, scope, request, body, ...clientHints(request) });
        if (!isValidResult(result))
          throw new TypeError(
            'The handler must return { status, headers?, body? } with a status from 200 to 599.',
          );
        const response = serialize(result);
        if (response.status >= 500) throw new Rollback({ why: 'server-error', result });
        return { ...response, headers: { ...response.headers, ...retention } };
      });
    } catch (error) {
      if (error instanceof Rollback && error.reason.why === 'server-error') {
        const response = serialize(error.reason.result);
        return { ...response, headers: { ...response.headers, ...retention } };
      }
      onError(error, request);
      return problem('handler-failed', 'The request failed and its transaction was rolled back.', retention);
    }
  }

  /** The business transaction's work: run the handler, refuse to store a 5xx, record the response. */
  function work(request: IdempotentRequest, handler: Handler<Tx>, at: Attempt) {
    return async (tx: Tx): Promise<IdempotentResponse> => {
      const { scope, key, token, fault } = at;
      // A slow handler, as the harness asks: the key reads "in progress" meanwhile.
      if (fault?.startsWith('slow:')) await faults.sleep(Number(fault.slice(5)));
      let result: HandlerResult;
      try {
        result = await handler({ tx, key, scope, request, body: at.body, ...clientHints(request) });
      } catch (error) {
        throw new Rollback({ why: 'handler-threw', error });
      }
      if (!isValidResult(result)) {
        throw new Rollback({
          why: 'handler-threw',
          error: new TypeError(
            'The handler must return { status, headers?, body? } with a status from 200 to 599.',
          ),
        });
      }
      // 5xx is never stored: the client cannot tell what happened, so the next attempt must run again.
      if (result.status >= 500) throw new Rollback({ why: 'server-error', result });
      if (fault === '500-before-commit') throw new Rollback({ why: 'fault' });
      const response = serialize(result);
      const t = now();
      await store.finish(tx, scope, key, token, {
        status: response.status,
        headers: replayableHeaders(response.headers),
        body: response.body,
        now: t,
      });
      return response;
    };
  }

  /** Turns what the business transaction ended with into the answer (after commit, or after rollback). */
  async function settle(
    request: IdempotentRequest,
    at: Attempt,
    outcome: { committed: IdempotentResponse } | { error: unknown },
  ) {
    const { scope, key, token, fault } = at;
    if ('error' in outcome) {
      const { error } = outcome;
      if (isIdempotencyError(error) && error.code === 'lock-lost') {
        return problem(
          'idempotency-key-in-progress',
          'Another attempt took this key over; ask again for its outcome.',
          {
            ...echo(key),
            ...retryAfter,
          },
        );
      }
      await store.release(scope, key, token).catch(() => {});
      if (!(error instanceof Rollback)) return unavailable(key, error, request);
      const reason = error.reason;
      if (reason.why === 'handler-threw') {
        if (store.isUnavailable?.(reason.error)) return unavailable(key, reason.error, request);
        onError(reason.error, request);
        return problem(
          'handler-failed',
          'The request failed and was rolled back; retry with the same key.',
          echo(key),
        );
      }
      if (reason.why === 'server-error') {
        const response = serialize(reason.result);
        return { ...response, headers: { ...response.headers, ...echo(key) } };
      }
      return problem('fault-injected', 'Injected fault 500-before-commit: nothing was applied.', echo(key));
    }
    if (fault === 'exit-after-commit') {
      faults.exit(137);
      throw new FaultExit(
        'exit-after-commit: the transaction committed and the process exits before answering',
      );
    }
    if (fault === '500-after-commit') {
      return problem(
        'fault-injected',
        'Injected fault 500-after-commit: the request was applied; retry to get its response.',
        echo(key),
      );
    }
    return { ...outcome.committed, headers: { ...outcome.committed.headers, ...echo(key) } };
  }

  async function handle(request: IdempotentRequest, handler: Handler<Tx>): Promise<IdempotentResponse> {
    startReaper();
    const method = request.method.toUpperCase();
    if (isLookup(request)) {
      const encoded = (request.path.split('?')[0] as string).slice((lookupPath as string).length + 1);
      let raw: string;
      try {
        raw = decodeURIComponent(encoded);
      } catch {
        raw = '\u0000';
      }
      const parsed = parseKey(raw);
      if (parsed.kind !== 'ok')
        return problem('idempotency-key-malformed', 'The key in the lookup path is malformed.', retention);
      try {
        return await lookup(await scopeOfRequest(request), parsed.key);
      } catch (error) {
        onError(error, request);
        return problem(
          'handler-failed',
          'The scope of this request could not be determined.',
          echo(parsed.key),
        );
      }
    }
    const parsed = parseKey(readHeader(request.headers, HEADER_KEY));
    const keyed = WRITE_METHODS.has(method) && parsed.kind !== 'missing';
    const headers = parsed.kind === 'ok' && keyed ? echo(parsed.key) : retention;
    const decoded = decodeBody(request, maxBodyBytes, headers);
    if (!decoded.ok) return decoded.response;
    let scope: string;
    try {
      scope = await scopeOfRequest(request);
    } catch (error) {
      onError(error, request);
      return problem('handler-failed', 'The scope of this request could not be determined.', headers);
    }
    if (!WRITE_METHODS.has(method)) return passthrough(request, handler, decoded.body, scope);
    if (parsed.kind === 'malformed') {
      return problem(
        'idempotency-key-malformed',
        `The Idempotency-Key header is malformed: ${parsed.reason}.`,
        retention,
      );
    }
    if (parsed.kind === 'missing') {
      if (!requireKey) return passthrough(request, handler, decoded.body, scope);
      return problem(
        'idempotency-key-missing',
        `${method} requests here need an Idempotency-Key header (a unique value per write, the same on every retry).`,
        retention,
      );
    }
    const key = parsed.key;
    const fp = await fingerprint(request, decoded.body);
    const fault = faults.enabled ? faults.take(readHeader(request.headers, HEADER_FAULT)) : undefined;
    const at: Attempt = { scope, key, token: generateKey(), body: decoded.body, fault };
    const run = work(request, handler, at);
    let expectedToken: string | undefined;
    // A lost takeover means someone else changed the record first: look again, a bounded number of times.
    for (let round = 0; round < 3; round++) {
      let begun: BeginResult<IdempotentResponse>;
      try {
        const t = now();
        const input = {
          scope,
          key,
          fingerprint: fp,
          lockToken: at.token,
          now: t,
          expiresAt: t + retentionSec * 1000,
          purgeAt: t + tombstoneSec * 1000,
        };
        begun =
          expectedToken === undefined
            ? await store.begin(input, run)
            : await store.takeOver({ ...input, expectedToken }, run);
      } catch (error) {
        return settle(request, at, { error });
      }
      if (begun.claimed) return settle(request, at, { committed: begun.value });
      expectedToken = undefined;
      const record = begun.record;
      if (!record) continue;
      if (record.fingerprint !== fp) {
        return problem(
          'idempotency-key-reused',
          'This key was already used for a different request (method, path or body differ). Use a new key for a new write.',
          echo(key),
        );
      }
      if (record.state === 'finished') return replay(record, key);
      const stale = record.lockedAt === null || now() - record.lockedAt >= lockTimeoutMs;
      if (!stale || record.lockToken === null) break;
      expectedToken = record.lockToken;
    }
    return problem(
      'idempotency-key-in-progress',
      'A request with this key is still running. Retry later with the same key.',
      {
        ...echo(key),
        ...retryAfter,
      },
    );
  }

  return {
    handle,
    lookup,
    isLookup,
    reap: () => store.reap(now(), grace),
    close() {
      if (reaper !== undefined) timers.clearInterval(reaper as never);
      reaper = undefined;
    },
    faults,
    retentionSec,
    lookupPath,
    maxBodyBytes,
    isWrite: (method) => WRITE_METHODS.has(method.toUpperCase()),
  };
}
