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
  if (isOver(raw, maxBodyBytes)) return tooLarge();
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

/**
 * True when the body is over `limit` bytes. A string's UTF-8 length is counted only when it could be
 * (a UTF-16 unit is at most 3 bytes of UTF-8), so the common case costs nothing.
 */
function isOver(raw: string | Uint8Array, limit: number): boolean {
  if (typeof raw !== 'string') return raw.byteLength > limit;
  if (raw.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < raw.length; i++) {
    const unit = raw.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < raw.length) {
      const next = raw.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: one code point, four bytes.
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes > limit;
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
