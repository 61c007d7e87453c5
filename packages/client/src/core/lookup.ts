import type { Entry } from '../types/entry.ts';
import type { AttemptInfo } from '../types/observer.ts';
import { classifyError } from './classify.ts';
import { observeEnd, observeStart } from './observe.ts';
import { HEADER_KEY, HEADER_RETENTION, lookupTarget, parseKeyHeader, parseRetention } from './protocol.ts';
import { baseHeaders, exchange, type RawAnswer, type TransportSettings } from './transport.ts';

/** What the server's lookup route says of a key. */
export type LookupAnswer =
  | { kind: 'found'; status: number; body: unknown }
  | { kind: 'never-seen' }
  | { kind: 'in-progress'; retryAfterMs?: number }
  | { kind: 'unsupported'; reason: string }
  /** An answer below 500 that does not follow the protocol (no key of ours, or no stored status): not believed. */
  | { kind: 'unbelieved'; status: number; reason: string }
  | { kind: 'unknown'; code: string; reason: string };

/**
 * `GET {origin}{lookupPath}/{key}`. Only an answer that echoes our key is trusted: a plain 404 from a
 * server (or proxy) without the route must not read as "never seen", or an expired write would be
 * applied a second time.
 */
export async function lookupKey(
  entry: Entry,
  settings: TransportSettings,
): Promise<LookupAnswer & { durationMs: number; retentionSec?: number }> {
  const started = settings.clock.now();
  const { observer } = settings;
  let observed: AttemptInfo | undefined;
  let retentionSec: number | undefined;
  let answer: RawAnswer | undefined;
  const done = <T extends LookupAnswer>(lookup: T) => {
    const durationMs = settings.clock.now() - started;
    if (observer && observed)
      observeEnd(
        observer,
        observed,
        lookup.kind,
        lookup.kind === 'unknown' ? lookup.code : undefined,
        answer,
        durationMs,
      );
    return { ...lookup, durationMs, ...(retentionSec === undefined ? {} : { retentionSec }) };
  };
  if (settings.lookupPath === null)
    return done({ kind: 'unsupported', reason: 'the server has no lookup route (lookupPath: null)' });
  const url = new URL(lookupTarget(settings.lookupPath, entry.key), entry.url).href;
  try {
    const headers: Record<string, string> = { ...(await baseHeaders(settings)), accept: 'application/json' };
    if (observer) {
      observed = { entry, kind: 'lookup', method: 'GET', url, attempt: entry.attempts };
      observeStart(observer, observed, headers);
    }
    answer = await exchange(settings, url, { method: 'GET', headers });
  } catch (error) {
    const { result } = classifyError(error) as { result: { code: string; reason: string } };
    return done({
      kind: 'unknown',
      code: `LOOKUP_${result.code}`,
      reason: `lookup failed: ${result.reason}`,
    });
  }
  const echoed = parseKeyHeader(answer.headers.get(HEADER_KEY));
  let body: unknown;
  if (typeof answer.text === 'string') {
    try {
      body = answer.text ? JSON.parse(answer.text) : undefined;
    } catch {
      body = undefined;
    }
  }
  const bodyKey = (body as { key?: unknown } | undefined)?.key;
  const ours = echoed === entry.key || bodyKey === entry.key;
  // The lookup's answer publishes the retention like any other, when it is the server's own.
  if (ours) retentionSec = parseRetention(answer.headers.get(HEADER_RETENTION));
  if (answer.status === 200 && ours && typeof (body as { status?: unknown })?.status === 'number') {
    const stored = body as { status: number; body?: unknown };
    return done({ kind: 'found', status: stored.status, body: stored.body });
  }
  if (answer.status === 404 && ours) return done({ kind: 'never-seen' });
  if (answer.status === 409 && ours) return done({ kind: 'in-progress' });
  if (answer.status === 404 || answer.status === 405 || answer.status === 501) {
    return done({
      kind: 'unsupported',
      reason: `the server answered the lookup with HTTP ${answer.status} and no key echo`,
    });
  }
  if (answer.status < 500) {
    return done({
      kind: 'unbelieved',
      status: answer.status,
      reason: ours
        ? `the lookup answered HTTP ${answer.status} without a stored status`
        : `the lookup answered HTTP ${answer.status} without our key`,
    });
  }
  return done({
    kind: 'unknown',
    code: `LOOKUP_HTTP_${answer.status}`,
    reason: `lookup answered HTTP ${answer.status}`,
  });
}
