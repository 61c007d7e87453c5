/**
 * Problem details (RFC 9457) the server answers with: each has a stable `code`, and its `type` is the
 * code under one base URI. A client recognises the one it must act on (`idempotency-key-reused`) by
 * either, so a server of its own naming it the same way is understood too.
 */

/** Stable codes of every problem the reference server answers with. */
export type ProblemCode =
  | 'idempotency-key-missing'
  | 'idempotency-key-malformed'
  | 'idempotency-key-in-progress'
  | 'idempotency-key-reused'
  | 'idempotency-key-unknown'
  | 'store-unavailable'
  | 'body-too-large'
  | 'body-not-json'
  | 'handler-failed'
  | 'fault-injected';

/**
 * The problem a server names a 422 by when a key came back with another payload:
 * `"type": "…/idempotency-key-reused"` or `"code": "idempotency-key-reused"`. A 422 without it is an
 * ordinary validation answer.
 */
export const KEY_REUSED_PROBLEM = 'idempotency-key-reused' satisfies ProblemCode;

export const PROBLEM_TYPE_BASE = 'https://landed.dev/problems/';

/** The `type` URI of a problem code. */
export function problemType(code: ProblemCode): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}
