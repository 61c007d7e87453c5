/**
 * The claim loop: claims `(scope, key)` and runs the attempt under it, or answers from the record that
 * holds it — 422 when the fingerprint differs, the replay when it finished, 409 while it runs — and
 * takes over a claim older than `lockTimeoutMs` (its process died), a bounded number of times.
 */
import { generateKey } from '@landed/protocol';
import { replayAnswer } from './answers.ts';
import { type Attempt, settle, work } from './execute.ts';
import type { Settings } from './options.ts';
import { HEADER_FAULT, problem, readHeader } from './protocol.ts';
import type { BeginResult, Handler, IdempotentRequest, IdempotentResponse } from './types.ts';

export interface KeyedWrite {
  scope: string;
  key: string;
  body: unknown;
  fingerprint: string;
}

export async function claimAndRun<Tx>(
  settings: Settings<Tx>,
  request: IdempotentRequest,
  handler: Handler<Tx>,
  write: KeyedWrite,
): Promise<IdempotentResponse> {
  const { store, faults, now, echo, retryAfter, retentionSec, tombstoneSec, lockTimeoutMs } = settings;
  const { scope, key, fingerprint } = write;
  const fault = faults.enabled ? faults.take(readHeader(request.headers, HEADER_FAULT)) : undefined;
  const at: Attempt = { scope, key, token: generateKey(), body: write.body, fault };
  const run = work(settings, request, handler, at);
  let expectedToken: string | undefined;
  // A lost takeover means someone else changed the record first: look again, a bounded number of times.
  for (let round = 0; round < 3; round++) {
    let begun: BeginResult<IdempotentResponse>;
    try {
      const t = now();
      const input = {
        scope,
        key,
        fingerprint,
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
      return settle(settings, request, at, { error });
    }
    if (begun.claimed) return settle(settings, request, at, { committed: begun.value });
    expectedToken = undefined;
    const record = begun.record;
    if (!record) continue;
    if (record.fingerprint !== fingerprint) {
      return problem(
        'idempotency-key-reused',
        'This key was already used for a different request (method, path or body differ). Use a new key for a new write.',
        echo(key),
      );
    }
    if (record.state === 'finished') return replayAnswer(record, now(), echo(key));
    const stale = record.lockedAt === null || now() - record.lockedAt >= lockTimeoutMs;
    if (!stale || record.lockToken === null) break;
    expectedToken = record.lockToken;
  }
  return problem(
    'idempotency-key-in-progress',
    'A request with this key is still running. Retry later with the same key.',
    { ...echo(key), ...retryAfter },
  );
}
