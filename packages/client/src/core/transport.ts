import ky from 'ky';
import type { Entry } from '../types/entry.ts';
import type { AttemptInfo, WriteObserver } from '../types/observer.ts';
import type { Clock } from '../types/runtime.ts';
import { type Classified, classifyError, classifyResponse } from './classify.ts';
import { observeEnd, observeStart } from './observe.ts';
import {
  formatKey,
  HEADER_ATTEMPT,
  HEADER_FIRST_SENT,
  HEADER_KEY,
  HEADER_RETENTION,
  lookupTarget,
  parseKeyHeader,
  parseRetention,
} from './protocol.ts';

/** What the transport needs from the client's settings. */
export interface TransportSettings {
  fetch: typeof fetch;
  /** `fetch` is the platform's (it honours a `signal` passed beside a `Request`), not one of the app's. */
  platformFetch: boolean;
  clock: Clock;
  timeoutMs: number;
  keyFormat: 'quoted' | 'unquoted';
  headers: (() => Record<string, string> | Promise<Record<string, string>>) | undefined;
  lookupPath: string | null;
  /** Told of every request as it leaves and as its answer comes (tracing): see `WriteObserver`. */
  observer?: WriteObserver | undefined;
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string | Error;
}

/**
 * One HTTP exchange through ky with its own retry off (p-retry owns attempts: one retry layer). The
 * timeout covers the whole exchange, body included: a server that stalls mid-body is as uncertain as
 * one that never answers. The client's clock keeps the time (ky's own timeout is off).
 *
 * With the platform's `fetch`, ky builds the request (URL, method) and calls our `fetch`, which sends
 * that URL and method with the headers, the string body and the timeout's signal as plain `init`
 * fields. Given the `Request` object instead, `fetch` builds a new `Request` around it, which re-wraps
 * its body stream (~25 µs a write on Node 24, a fifth of a loopback write's client-side cost); given
 * the signal and headers through ky, ky joins the signal with its own through `AbortSignal.any` and
 * copies the headers through two `Headers` objects. A `fetch` of the app's own may read everything
 * from the request alone, so it gets ky's full `Request`, as before.
 */
async function exchange(
  settings: TransportSettings,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const controller = new AbortController();
  const timer = settings.clock.setTimeout(() => {
    controller.abort(new DOMException(`no complete answer within ${settings.timeoutMs} ms`, 'TimeoutError'));
  }, settings.timeoutMs);
  const { fetch, platformFetch } = settings;
  try {
    const response = await ky(url, {
      method: init.method,
      ...(platformFetch ? {} : { headers: init.headers }),
      ...(platformFetch || init.body === undefined ? {} : { body: init.body }),
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      redirect: 'manual',
      ...(platformFetch
        ? {
            // ky always hands its own fetch a `Request`.
            fetch: (request, options) =>
              fetch((request as Request).url, {
                ...options,
                method: (request as Request).method,
                headers: init.headers,
                ...(init.body === undefined ? {} : { body: init.body }),
                signal: controller.signal,
                redirect: 'manual',
              }),
          }
        : { fetch, signal: controller.signal }),
    });
    let text: string | Error;
    try {
      text = await response.text();
    } catch (error) {
      // Cut off by our own timeout: say so, whatever error the body stream reports for the abort.
      text = asError(controller.signal.aborted ? controller.signal.reason : error);
    }
    return { status: response.status, headers: response.headers, text };
  } finally {
    settings.clock.clearTimeout(timer);
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

async function baseHeaders(settings: TransportSettings): Promise<Record<string, string>> {
  return settings.headers ? { ...(await settings.headers()) } : {};
}

export interface AttemptResult {
  classified: Classified;
  durationMs: number;
  status?: number;
}

/** Sends the entry once, with its key, attempt number and first-sent time. Never throws. */
export async function sendAttempt(
  entry: Entry,
  settings: TransportSettings,
  notAfter?: number,
): Promise<AttemptResult> {
  const started = settings.clock.now();
  const { observer } = settings;
  let observed: AttemptInfo | undefined;
  let answer: RawAnswer | undefined;
  let result: AttemptResult;
  try {
    const headers: Record<string, string> = {
      ...entry.headers,
      ...(settings.headers ? await baseHeaders(settings) : undefined),
      [HEADER_KEY]: formatKey(entry.key, settings.keyFormat),
      [HEADER_ATTEMPT]: String(entry.attempts),
      [HEADER_FIRST_SENT]: String(entry.firstSentAt ?? started),
      accept: 'application/json',
    };
    if (entry.body !== undefined) headers['content-type'] = 'application/json';
    // The last moment to decide: the attempt was judged inside the retention window, but getting here
    // took time (its commit, the headers hook, a suspended process). Past the window the server may
    // have forgotten the key, and this copy could apply the write a second time: it does not leave.
    if (notAfter !== undefined && settings.clock.now() >= notAfter) {
      return {
        classified: {
          result: {
            kind: 'not-applied',
            code: 'WINDOW_CLOSED',
            reason:
              "not sent: the server's retention window closed before the attempt could leave; the key is looked up instead",
            retryAfterMs: 0,
          },
        },
        durationMs: 0,
      };
    }
    if (observer) {
      observed = { entry, kind: 'send', method: entry.method, url: entry.url, attempt: entry.attempts };
      observeStart(observer, observed, headers);
    }
    answer = await exchange(settings, entry.url, {
      method: entry.method,
      headers,
      ...(entry.body === undefined ? {} : { body: entry.body }),
    });
    result = {
      classified: classifyResponse(answer, entry.key, settings.clock.now()),
      durationMs: settings.clock.now() - started,
      status: answer.status,
    };
  } catch (error) {
    result = { classified: classifyError(error), durationMs: settings.clock.now() - started };
  }
  if (observer && observed) {
    const { result: said } = result.classified;
    observeEnd(
      observer,
      observed,
      said.kind,
      said.kind === 'confirmed' ? undefined : said.code,
      answer,
      result.durationMs,
    );
  }
  return result;
}

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
