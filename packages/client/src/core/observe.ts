import type { AttemptInfo, AttemptOutcome, WriteObserver } from '../types/observer.ts';
import { HEADER_ATTEMPT, HEADER_FIRST_SENT, HEADER_KEY, HEADER_REPLAYED } from './protocol.ts';

/** The protocol's own headers: an observer's value would break the exchange, so it is never taken. */
const PROTOCOL_HEADERS: ReadonlySet<string> = new Set(
  [HEADER_KEY, HEADER_ATTEMPT, HEADER_FIRST_SENT].map((name) => name.toLowerCase()),
);

/**
 * Tells the observer an attempt leaves and adds the headers it returns to `headers`. An observer that
 * throws is ignored (from there on): watching must never stop a write.
 */
export function observeStart(
  observer: WriteObserver,
  attempt: AttemptInfo,
  headers: Record<string, string>,
): void {
  try {
    const extra = observer.attemptStart?.(attempt);
    for (const name in extra) if (!PROTOCOL_HEADERS.has(name.toLowerCase())) headers[name] = `${extra[name]}`;
  } catch {
    // See above.
  }
}

/** What the observer stamps on a write being accepted (see `WriteObserver.stamp`); one that throws is ignored. */
export function observeStamp(observer: WriteObserver | undefined): string | undefined {
  try {
    const stamp = observer?.stamp?.();
    return typeof stamp === 'string' && stamp.length <= 512 ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Tells the observer the attempt has its answer (`answer` undefined: none came); one that throws is ignored. */
export function observeEnd(
  observer: WriteObserver,
  attempt: AttemptInfo,
  outcome: AttemptOutcome,
  code: string | undefined,
  answer: { status: number; headers: Headers } | undefined,
  durationMs: number,
): void {
  try {
    observer.attemptEnd?.(attempt, {
      outcome,
      code,
      status: answer?.status,
      replayed: answer?.headers.get(HEADER_REPLAYED)?.trim().toLowerCase() === 'true',
      durationMs,
    });
  } catch {
    // See observeStart.
  }
}
