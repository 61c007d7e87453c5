import ky from 'ky';
import type { Entry } from '../types/entry.ts';
import type { AttemptInfo, WriteObserver } from '../types/observer.ts';
import type { Clock } from '../types/runtime.ts';
import { type Classified, classifyError, classifyResponse } from './classify.ts';
import { observeEnd, observeStart } from './observe.ts';
import { formatKey, HEADER_ATTEMPT, HEADER_FIRST_SENT, HEADER_KEY } from './protocol.ts';

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

export interface RawAnswer {
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
export async function exchange(
  settings: TransportSettings,
  url: string,
  init: { method: string; headers: Record<string, string> | Promise<Record<string, string>>; body?: string },
): Promise<RawAnswer> {
  const controller = new AbortController();
  let timer: unknown;
  let armed = false;
  // Armed as the request leaves (a prepared request may wait for its commit first).
  const arm = () => {
    armed = true;
    timer = settings.clock.setTimeout(() => {
      controller.abort(
        new DOMException(`no complete answer within ${settings.timeoutMs} ms`, 'TimeoutError'),
      );
    }, settings.timeoutMs);
  };
  const { fetch, platformFetch } = settings;
  try {
    const response = await ky(url, {
      method: init.method,
      ...(platformFetch ? {} : { headers: init.headers as Record<string, string> }),
      ...(platformFetch || init.body === undefined ? {} : { body: init.body }),
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      redirect: 'manual',
      ...(platformFetch
        ? {
            // ky always hands its own fetch a `Request`.
            fetch: async (request, options) => {
              const headers = init.headers instanceof Promise ? await init.headers : init.headers;
              arm();
              return fetch((request as Request).url, {
                ...options,
                method: (request as Request).method,
                headers,
                ...(init.body === undefined ? {} : { body: init.body }),
                signal: controller.signal,
                redirect: 'manual',
              });
            },
          }
        : {
            fetch: (request, options) => {
              arm();
              return fetch(request, options);
            },
            signal: controller.signal,
          }),
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
    if (armed) settings.clock.clearTimeout(timer);
  }
}

/**
 * A first attempt made ready while its entry's commit is on its way to the disk: ky builds the
 * request at once (~45 µs of a loopback write on Node 24, done while the main thread would otherwise
 * wait for the store), and nothing leaves until `sendAttempt` hands it its headers. `cancel()` (the
 * commit failed, the entry went away, the client closed) makes sure it never leaves.
 */
export interface PreparedExchange {
  leave(headers: Record<string, string>): Promise<RawAnswer>;
  cancel(): void;
}

/** Only with the platform's `fetch`, which reads the headers as the request leaves (see `exchange`). */
export function prepareExchange(entry: Entry, settings: TransportSettings): PreparedExchange | undefined {
  if (!settings.platformFetch) return undefined;
  let leave!: (headers: Record<string, string>) => void;
  let cancel!: (error: Error) => void;
  const headers = new Promise<Record<string, string>>((resolve, reject) => {
    leave = resolve;
    cancel = reject;
  });
  const answer = exchange(settings, entry.url, {
    method: entry.method,
    headers,
    ...(entry.body === undefined ? {} : { body: entry.body }),
  });
  answer.catch(() => {});
  return {
    leave: (ready) => {
      leave(ready);
      return answer;
    },
    cancel: () => cancel(new Error('not sent')),
  };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export async function baseHeaders(settings: TransportSettings): Promise<Record<string, string>> {
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
  prepared?: PreparedExchange,
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
      prepared?.cancel();
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
    answer = prepared
      ? await prepared.leave(headers)
      : await exchange(settings, entry.url, {
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
    // The headers hook threw before a prepared request could leave: it never does.
    prepared?.cancel();
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
