/** Serialising a handler's result, and choosing which of its headers a replay may repeat. */
import type { HandlerResult, IdempotentResponse } from './types.ts';

/** Headers that describe one connection or one sender, never a stored outcome. */
const NOT_REPLAYED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'set-cookie',
  'idempotency-key',
  'idempotency-retention',
  'idempotent-replayed',
]);

export function serialize(result: HandlerResult): IdempotentResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  let body = '';
  if (typeof result.body === 'string') {
    body = result.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (result.body !== undefined) {
    body = JSON.stringify(result.body);
    headers['content-type'] ??= 'application/json';
  }
  return { status: result.status, headers, body };
}

export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!NOT_REPLAYED.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
  }
  return kept;
}

export function isValidResult(result: unknown): result is HandlerResult {
  const status = (result as HandlerResult | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599;
}
