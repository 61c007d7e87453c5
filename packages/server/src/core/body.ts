/**
 * Turns what an adapter read into the JSON value the handler and the fingerprint see. Only JSON bodies
 * are accepted on keyed writes: the fingerprint needs a canonical form, and a payload the server cannot
 * read must be refused before anything is recorded.
 */
import { problem } from './protocol.ts';
import type { IdempotentRequest, IdempotentResponse } from './types.ts';

export type DecodedBody = { ok: true; body: unknown } | { ok: false; response: IdempotentResponse };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeBody(
  request: IdempotentRequest,
  maxBodyBytes: number,
  headers: Record<string, string>,
): DecodedBody {
  const tooLarge = (): DecodedBody => ({
    ok: false,
    response: problem(
      'body-too-large',
      `The body is over the limit of ${maxBodyBytes} bytes; nothing was applied.`,
      headers,
    ),
  });
  if (request.bodyTooLarge) return tooLarge();
  const raw = request.rawBody;
  if (raw === undefined) return { ok: true, body: request.body };
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (bytes > maxBodyBytes) return tooLarge();
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    return notJson(headers, 'it is not valid UTF-8');
  }
  if (text.trim() === '') return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return notJson(headers, 'it does not parse as JSON');
  }
}

function notJson(headers: Record<string, string>, why: string): DecodedBody {
  return {
    ok: false,
    response: problem(
      'body-not-json',
      `The request body was refused because ${why}; send application/json.`,
      headers,
    ),
  };
}
