/** Where adapters keep the handler context for the framework's own route handler to pick up. */
import type { HandlerContext } from '../core/types.ts';
import { IdempotencyError } from '../errors/IdempotencyError.ts';

const contexts = new WeakMap<object, HandlerContext<unknown>>();

export function setContext(carrier: object, ctx: HandlerContext<unknown>): void {
  contexts.set(carrier, ctx);
}

export function getContext<Tx>(carrier: object, where: string): HandlerContext<Tx> {
  const ctx = contexts.get(carrier);
  if (!ctx) {
    throw new IdempotencyError(
      'invalid-options',
      `${where}: no idempotency context on this request. Is the middleware mounted before this route, and is it a keyed write?`,
    );
  }
  return ctx as HandlerContext<Tx>;
}

export function hasContext(carrier: object): boolean {
  return contexts.has(carrier);
}
