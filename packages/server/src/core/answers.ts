/**
 * The answers built from a stored record: the replay of a completed request (or only its status once
 * the body is past retention), and the lookup route's view of a key.
 */
import { HEADER_REPLAYED, HEADER_RESPONSE_EXPIRED, problem } from './protocol.ts';
import type { IdempotentResponse, StoredRecord } from './types.ts';

const isExpired = (record: StoredRecord, now: number) =>
  record.body === null || (record.expiresAt !== null && now >= record.expiresAt);

/**
 * A completed request again: its stored response with `Idempotent-Replayed: true`. Past retention only
 * the tombstone is left, so the status is replayed with an empty body and `Landed-Response-Expired`:
 * the write did land, and running it again is exactly what the tombstone exists to prevent.
 */
export function replayAnswer(
  record: StoredRecord,
  now: number,
  echo: Record<string, string>,
): IdempotentResponse {
  const status = record.status ?? 200;
  if (isExpired(record, now)) {
    return {
      status,
      headers: { ...echo, [HEADER_REPLAYED]: 'true', [HEADER_RESPONSE_EXPIRED]: 'true' },
      body: '',
    };
  }
  return {
    status,
    headers: { ...(record.headers ?? {}), ...echo, [HEADER_REPLAYED]: 'true' },
    body: record.body ?? '',
  };
}

/** `GET {lookupPath}/{key}`: 200 with the stored outcome, 404 never seen (or forgotten), 409 in progress. */
export function lookupAnswer(
  record: StoredRecord | undefined,
  key: string,
  now: number,
  echo: Record<string, string>,
  retryAfter: Record<string, string>,
): IdempotentResponse {
  if (!record || (record.purgeAt !== null && now >= record.purgeAt)) {
    return problem(
      'idempotency-key-unknown',
      'No request with this key was seen in your scope (or it is past its tombstone).',
      echo,
    );
  }
  if (record.state === 'started') {
    return problem(
      'idempotency-key-in-progress',
      'The request with this key is still running. Ask again later.',
      {
        ...echo,
        ...retryAfter,
      },
    );
  }
  const expired = isExpired(record, now);
  let body: unknown = null;
  if (!expired && record.body !== null) {
    const type = record.headers?.['content-type'] ?? '';
    try {
      body = type.includes('json') && record.body !== '' ? JSON.parse(record.body) : record.body;
    } catch {
      body = record.body;
    }
  }
  const payload = {
    key,
    status: record.status,
    body,
    replayed: true,
    expired,
    createdAt: new Date(record.createdAt).toISOString(),
  };
  return {
    status: 200,
    headers: { 'content-type': 'application/json', ...echo },
    body: JSON.stringify(payload),
  };
}
