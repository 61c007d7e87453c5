/**
 * The idempotency core: one request, one transaction. A first request claims `(scope, key)` as
 * `started` (the unique key decides races, across processes), then runs the handler in the business
 * transaction that also marks the record `finished` with the response, so the business write and the
 * record commit together or not at all. A handler that throws or answers 5xx rolls back and unlocks.
 * Runtime-neutral: Web Crypto and injected timers, no Node built-ins.
 *
 * This file assembles the parts: `interpret` reads what a request asks, `claim` holds the key,
 * `execute` runs the handler under it, `reaper` forgets what is past retention.
 */
import { lookupSegment } from '@landed/protocol';
import { lookupAnswer } from './answers.ts';
import { claimAndRun } from './claim.ts';
import { runUnkeyed } from './execute.ts';
import type { Faults } from './faults.ts';
import { interpret, isWrite } from './interpret.ts';
import { type IdempotencyOptions, resolveOptions } from './options.ts';
import { createReaper } from './reaper.ts';
import type { Handler, IdempotentRequest, IdempotentResponse, StoredRecord } from './types.ts';

export { FaultExit } from './FaultExit.ts';

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

export function createIdempotency<Tx>(options: IdempotencyOptions<Tx>): Idempotency<Tx> {
  const settings = resolveOptions(options);
  const { store, lookupPath, now, echo, retryAfter } = settings;
  const reaper = createReaper(settings);

  async function lookup(scope: string, key: string): Promise<IdempotentResponse> {
    let record: StoredRecord | undefined;
    try {
      record = await store.get(scope, key);
    } catch (error) {
      return settings.unavailable(key, error);
    }
    return lookupAnswer(record, key, now(), echo(key), retryAfter);
  }

  async function handle(request: IdempotentRequest, handler: Handler<Tx>): Promise<IdempotentResponse> {
    reaper.start();
    const asked = await interpret(settings, request);
    switch (asked.kind) {
      case 'answer':
        return asked.response;
      case 'lookup':
        return lookup(asked.scope, asked.key);
      case 'unkeyed':
        return runUnkeyed(settings, request, handler, asked.body, asked.scope);
      case 'keyed':
        return claimAndRun(settings, request, handler, asked);
    }
  }

  return {
    handle,
    lookup,
    isLookup: (request) => lookupSegment(lookupPath, request.method, request.path) !== undefined,
    reap: reaper.reap,
    close: reaper.stop,
    faults: settings.faults,
    retentionSec: settings.retentionSec,
    lookupPath,
    maxBodyBytes: settings.maxBodyBytes,
    isWrite,
  };
}
