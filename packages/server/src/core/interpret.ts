/**
 * Request interpretation: what a request asks of the protocol, read before any record is touched —
 * a lookup of a key, a keyed write (its key, body, scope and fingerprint), a write the protocol does
 * not govern, or a refusal answered at once (400 missing or malformed key, 413, body not JSON, no scope).
 */
import { decodeLookupSegment, lookupSegment, parseKey } from '@landed/protocol';
import { decodeBody } from './body.ts';
import type { Settings } from './options.ts';
import { HEADER_KEY, problem, readHeader } from './protocol.ts';
import type { IdempotentRequest, IdempotentResponse } from './types.ts';

export type Interpretation =
  /** Answered without the store or the handler. */
  | { kind: 'answer'; response: IdempotentResponse }
  /** `GET {lookupPath}/{key}` in the caller's scope. */
  | { kind: 'lookup'; scope: string; key: string }
  /** Run in a plain transaction: not a write, or a write without a key where keys are optional. */
  | { kind: 'unkeyed'; scope: string; body: unknown }
  /** Run at most once under `(scope, key)`. */
  | { kind: 'keyed'; scope: string; key: string; body: unknown; fingerprint: string };

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for the methods the protocol governs. */
export const isWrite = (method: string): boolean => WRITE_METHODS.has(method.toUpperCase());

export async function interpret<Tx>(
  settings: Settings<Tx>,
  request: IdempotentRequest,
): Promise<Interpretation> {
  const { lookupPath, retention, echo, onError } = settings;
  const segment = lookupSegment(lookupPath, request.method, request.path);
  if (segment !== undefined) {
    // A segment whose percent-encoding is broken reads as a key no grammar accepts.
    const parsed = parseKey(decodeLookupSegment(segment) ?? '\u0000');
    if (parsed.kind !== 'ok')
      return answer(
        problem('idempotency-key-malformed', 'The key in the lookup path is malformed.', retention),
      );
    try {
      return { kind: 'lookup', scope: await settings.scopeOf(request), key: parsed.key };
    } catch (error) {
      onError(error, request);
      return answer(
        problem('handler-failed', 'The scope of this request could not be determined.', echo(parsed.key)),
      );
    }
  }
  const method = request.method.toUpperCase();
  const write = WRITE_METHODS.has(method);
  const parsed = parseKey(readHeader(request.headers, HEADER_KEY));
  const headers = parsed.kind === 'ok' && write ? echo(parsed.key) : retention;
  const decoded = decodeBody(request, settings.maxBodyBytes, headers);
  if (!decoded.ok) return answer(decoded.response);
  let scope: string;
  try {
    scope = await settings.scopeOf(request);
  } catch (error) {
    onError(error, request);
    return answer(problem('handler-failed', 'The scope of this request could not be determined.', headers));
  }
  const unkeyed: Interpretation = { kind: 'unkeyed', scope, body: decoded.body };
  if (!write) return unkeyed;
  if (parsed.kind === 'malformed') {
    return answer(
      problem(
        'idempotency-key-malformed',
        `The Idempotency-Key header is malformed: ${parsed.reason}.`,
        retention,
      ),
    );
  }
  if (parsed.kind === 'missing') {
    if (!settings.requireKey) return unkeyed;
    return answer(
      problem(
        'idempotency-key-missing',
        `${method} requests here need an Idempotency-Key header (a unique value per write, the same on every retry).`,
        retention,
      ),
    );
  }
  const fingerprint = await settings.fingerprint(request, decoded.body);
  return { kind: 'keyed', scope, key: parsed.key, body: decoded.body, fingerprint };
}

const answer = (response: IdempotentResponse): Interpretation => ({ kind: 'answer', response });
