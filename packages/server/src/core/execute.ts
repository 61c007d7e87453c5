/**
 * Execution: the handler inside the business transaction and what its end becomes. A keyed write
 * refuses to store a 5xx, marks the record finished with the response in the same transaction, and
 * meets the fault hooks (slow, 500 before or after commit, exit after commit); a rollback releases the
 * claim so the next attempt runs. Unkeyed writes run in a plain transaction.
 */
import { isIdempotencyError } from '../errors/IdempotencyError.ts';
import { FaultExit } from './FaultExit.ts';
import type { FaultKind } from './faults.ts';
import type { Settings } from './options.ts';
import { HEADER_ATTEMPT, HEADER_FIRST_SENT, problem, readHeader } from './protocol.ts';
import { isValidResult, replayableHeaders, serialize } from './response.ts';
import type { Handler, HandlerResult, IdempotentRequest, IdempotentResponse } from './types.ts';

/** One keyed attempt: the claim it holds (`token`) and the fault it meets, if any. */
export interface Attempt {
  scope: string;
  key: string;
  token: string;
  body: unknown;
  fault: FaultKind | undefined;
}

type RollbackReason =
  | { why: 'handler-threw'; error: unknown }
  | { why: 'server-error'; result: HandlerResult }
  | { why: 'fault' };

class Rollback extends Error {
  readonly reason: RollbackReason;
  constructor(reason: RollbackReason) {
    super(`rolled back: ${reason.why}`);
    this.reason = reason;
  }
}

const INVALID_RESULT = 'The handler must return { status, headers?, body? } with a status from 200 to 599.';

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

/** A write the protocol does not govern: the handler in a plain transaction, a 5xx rolled back. */
export async function runUnkeyed<Tx>(
  settings: Settings<Tx>,
  request: IdempotentRequest,
  handler: Handler<Tx>,
  body: unknown,
  scope: string,
): Promise<IdempotentResponse> {
  const { store, retention, onError } = settings;
  try {
    return await store.transaction(async (tx) => {
      const result = await handler({ tx, key: undefined, scope, request, body, ...clientHints(request) });
      if (!isValidResult(result)) throw new TypeError(INVALID_RESULT);
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
export function work<Tx>(
  settings: Settings<Tx>,
  request: IdempotentRequest,
  handler: Handler<Tx>,
  at: Attempt,
) {
  const { store, faults, now } = settings;
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
      throw new Rollback({ why: 'handler-threw', error: new TypeError(INVALID_RESULT) });
    }
    // 5xx is never stored: the client cannot tell what happened, so the next attempt must run again.
    if (result.status >= 500) throw new Rollback({ why: 'server-error', result });
    if (fault === '500-before-commit') throw new Rollback({ why: 'fault' });
    const response = serialize(result);
    await store.finish(tx, scope, key, token, {
      status: response.status,
      headers: replayableHeaders(response.headers),
      body: response.body,
      now: now(),
    });
    return response;
  };
}

/** Turns what the business transaction ended with into the answer (after commit, or after rollback). */
export async function settle<Tx>(
  settings: Settings<Tx>,
  request: IdempotentRequest,
  at: Attempt,
  outcome: { committed: IdempotentResponse } | { error: unknown },
): Promise<IdempotentResponse> {
  const { store, faults, echo, retryAfter, unavailable, onError } = settings;
  const { scope, key, token, fault } = at;
  if ('error' in outcome) {
    const { error } = outcome;
    if (isIdempotencyError(error) && error.code === 'lock-lost') {
      return problem(
        'idempotency-key-in-progress',
        'Another attempt took this key over; ask again for its outcome.',
        { ...echo(key), ...retryAfter },
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
