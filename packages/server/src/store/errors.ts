/** The errors every store throws alike, with one wording. */
import { IdempotencyError } from '../errors/IdempotencyError.ts';

/** `finish()` found the record owned by another attempt's lock token: this attempt must roll back. */
export const lockLost = (): IdempotencyError =>
  new IdempotencyError(
    'lock-lost',
    'The key record was taken over by another attempt before this one finished.',
  );

/** The store was used after `close()`. */
export const storeClosed = (database: string): IdempotencyError =>
  new IdempotencyError('store-closed', `The ${database} idempotency store was closed; create a new one.`);
