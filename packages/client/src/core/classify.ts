import type { JsonValue } from '../types/entry.ts';
import {
  HEADER_KEY,
  HEADER_REPLAYED,
  HEADER_RETENTION,
  KEY_REUSED_PROBLEM,
  parseKeyHeader,
  parseRetention,
  parseRetryAfter,
} from './protocol.ts';

/**
 * What one attempt told us, decided by the table in docs/protocol.md. The core rule (from the
 * end-to-end reliability note): anything but a clear answer from *our* server means we do not know
 * whether the write applied, so it is `uncertain` and re-sent with the same key — never guessed.
 */
export type Classification =
  | { kind: 'confirmed'; status: number; body: JsonValue | undefined; replayed: boolean }
  | { kind: 'rejected'; status: number; body: JsonValue | undefined; code: string; reason: string }
  /** Definitely not applied by this attempt (409 in progress, connection refused): try again later. */
  | { kind: 'not-applied'; status?: number; code: string; reason: string; retryAfterMs?: number }
  /** 401: refresh auth, then retry with the same key. */
  | { kind: 'auth'; status: number; code: string; reason: string }
  /** May or may not have applied. */
  | { kind: 'uncertain'; status?: number; code: string; reason: string; retryAfterMs?: number };

export interface AttemptResponse {
  status: number;
  headers: Headers;
  /** The body text, or an error if it could not be read to the end (truncated, reset). */
  text: string | Error;
}

export interface Classified {
  result: Classification;
  /** Retention the server published on this response, if any. */
  retentionSec?: number;
}

/** Statuses after which the write may have applied: retry with the same key. */
const MAYBE_APPLIED = new Set([408, 425, 429]);

export function parseBody(text: string, contentType: string | null): JsonValue | undefined | Error {
  if (text === '') return undefined;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
  return text;
}

/**
 * Whether a 422 says the key was reused with another payload, as `@landed/server` says it (a problem
 * type or code `idempotency-key-reused`, see docs/protocol.md). Any other 422 is the app's own
 * validation answer ("validation failed"): an ordinary rejection, not a key bug.
 */
function isKeyReuse(body: JsonValue | undefined | Error): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Error) return false;
  const { type, code } = body as { type?: unknown; code?: unknown };
  return code === KEY_REUSED_PROBLEM || (typeof type === 'string' && type.endsWith(`/${KEY_REUSED_PROBLEM}`));
}

export function classifyResponse(response: AttemptResponse, key: string, now: number): Classified {
  const { status, headers } = response;
  const echoed = parseKeyHeader(headers.get(HEADER_KEY));
  // Only an answer that carries our key comes from the server that holds it: a proxy's or a captive
  // portal's headers say nothing about how long that server remembers keys.
  const retentionSec = echoed === key ? parseRetention(headers.get(HEADER_RETENTION)) : undefined;
  const withRetention = (result: Classification): Classified =>
    retentionSec === undefined ? { result } : { result, retentionSec };
  const withRetry = <T extends object>(value: T): T => {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
    return retryAfterMs === undefined ? value : { ...value, retryAfterMs };
  };

  if (response.text instanceof Error) {
    // A timeout that cut the body off is a timeout: the user asked for `timeoutMs`, and it ran out.
    if (response.text.name === 'TimeoutError') {
      return withRetention({
        kind: 'uncertain',
        status,
        code: 'TIMEOUT',
        reason: `HTTP ${status} arrived but its body did not finish before the timeout; it may have applied`,
      });
    }
    return withRetention(
      withRetry({
        kind: 'uncertain',
        status,
        code: 'TRUNCATED_RESPONSE',
        reason: `HTTP ${status} arrived but its body was cut off (${response.text.message}); it may have applied`,
      }),
    );
  }
  const body = parseBody(response.text, headers.get('content-type'));

  if (status >= 200 && status < 300) {
    if (echoed !== key) {
      // A 2xx that does not carry our key did not come from a server that honoured it (a proxy, a
      // captive portal, a cache): confirming on it would be "looks succeeded but failed".
      return withRetention({
        kind: 'uncertain',
        status,
        code: 'BAD_ECHO',
        reason:
          echoed === undefined
            ? `HTTP ${status} without an ${HEADER_KEY} echo: not an answer from an idempotent server`
            : `HTTP ${status} echoed another key (${echoed}): not our answer`,
      });
    }
    if (body instanceof Error) {
      return withRetention({
        kind: 'uncertain',
        status,
        code: 'BAD_RESPONSE',
        reason: `HTTP ${status} with a body that is not the JSON it claims to be (${body.message})`,
      });
    }
    const replayed = headers.get(HEADER_REPLAYED)?.trim().toLowerCase() === 'true';
    return withRetention({ kind: 'confirmed', status, body, replayed });
  }
  const safeBody = body instanceof Error ? response.text : body;
  if (status === 401) {
    return withRetention({
      kind: 'auth',
      status,
      code: 'AUTH_EXPIRED',
      reason: 'HTTP 401: authentication expired',
    });
  }
  if (status === 409) {
    return withRetention(
      withRetry({
        kind: 'not-applied',
        status,
        code: 'IN_PROGRESS',
        reason: 'HTTP 409: the same key is still in progress on the server',
      }),
    );
  }
  if (status === 422 && isKeyReuse(body)) {
    return withRetention({
      kind: 'rejected',
      status,
      body: safeBody,
      code: 'KEY_REUSED',
      reason: 'HTTP 422: the server has this key with a different payload (a bug: a key was reused)',
    });
  }
  if (MAYBE_APPLIED.has(status) || status >= 500) {
    return withRetention(
      withRetry({
        kind: 'uncertain',
        status,
        code: `HTTP_${status}`,
        reason: `HTTP ${status}: it may have applied`,
      }),
    );
  }
  if (status >= 400 && status < 500) {
    return withRetention({
      kind: 'rejected',
      status,
      body: safeBody,
      code: `HTTP_${status}`,
      reason: `HTTP ${status}: the server refused the write`,
    });
  }
  // 1xx/3xx to a write: not an answer we understand, so not a confirmation either.
  return withRetention({
    kind: 'uncertain',
    status,
    code: `HTTP_${status}`,
    reason: `HTTP ${status} is not an answer to a write; it may have applied`,
  });
}

/** Errors that prove the request never reached a server (nothing can have applied). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function classifyError(error: unknown): Classified {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError') {
    return {
      result: {
        kind: 'uncertain',
        code: 'TIMEOUT',
        reason: 'no answer before the timeout; it may have applied',
      },
    };
  }
  const code = errorCodeOf(error);
  if (code && NEVER_SENT.has(code)) {
    return { result: { kind: 'not-applied', code: 'UNREACHABLE', reason: `server unreachable (${code})` } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    result: {
      kind: 'uncertain',
      code: 'NETWORK',
      reason: `network error${code ? ` (${code})` : ''}: ${message}; it may have applied`,
    },
  };
}
