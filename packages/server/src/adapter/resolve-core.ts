/** Every adapter takes either options (and builds its core) or a core already built to share. */
import { createIdempotency, type Idempotency } from '../core/create-idempotency.ts';
import type { IdempotencyOptions } from '../core/options.ts';

export function resolveCore<Tx>(options: IdempotencyOptions<Tx> | Idempotency<Tx>): Idempotency<Tx> {
  return typeof (options as Idempotency<Tx>).handle === 'function'
    ? (options as Idempotency<Tx>)
    : createIdempotency(options as IdempotencyOptions<Tx>);
}
