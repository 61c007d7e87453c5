import type { AttemptEnd, AttemptInfo, WriteObserver } from '../types/observer.ts';
import { HEADER_ATTEMPT, HEADER_FIRST_SENT, HEADER_KEY, HEADER_REPLAYED } from './protocol.ts';

/** The protocol's own headers: an observer's value would break the exchange, so it is never taken. */
const PROTOCOL_HEADERS: ReadonlySet<string> = new Set(
  [HEADER_KEY, HEADER_ATTEMPT, HEADER_FIRST_SENT].map((name) => name.toLowerCase()),
);

/**
 * Tells the observer an attempt leaves and adds the headers it returns to `headers`. An observer that
 * throws adds nothing: watching must never stop a write.
 */
export function observeStart(
  observer: WriteObserver,
  attempt: AttemptInfo,
  headers: Record<string, string>,
): void {
  let extra: Record<string, string> | undefined;
  try {
    extra = observer.attemptStart?.(attempt);
  } catch {
    return;
  }
  if (typeof extra !== 'object' || extra === null) return;
  for (const name of Object.keys(extra)) {
    const value = extra[name];
    if (typeof value === 'string' && !PROTOCOL_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
}

/** Tells the observer the attempt has its answer; an observer that throws is ignored. */
export function observeEnd(observer: WriteObserver, attempt: AttemptInfo, end: AttemptEnd): void {
  try {
    observer.attemptEnd?.(attempt, end);
  } catch {
    // See observeStart.
  }
}

export const saysReplayed = (headers: Headers): boolean =>
  headers.get(HEADER_REPLAYED)?.trim().toLowerCase() === 'true';
