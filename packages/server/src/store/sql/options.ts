/**
 * What the SQL stores check alike before they open anything: that one of their two connection
 * sources was given, and that the table name can be spliced into SQL as it is.
 */
import { IdempotencyError } from '../../errors/IdempotencyError.ts';

export interface SqlStoreOptions {
  /**
   * Table for the key records.
   * @default 'landed_idempotency'
   */
  table?: string;
}

/**
 * The store's table, once `options` holds one of `sources` (else `invalid-options` saying what to
 * pass) and its table name is a plain SQL identifier.
 */
export function sqlStoreTable<O extends SqlStoreOptions>(
  factory: string,
  options: O | undefined,
  sources: readonly [keyof O & string, keyof O & string],
  hint: string,
): string {
  if (!options || (options[sources[0]] === undefined && options[sources[1]] === undefined)) {
    throw new IdempotencyError('invalid-options', `${factory}(): pass ${hint}.`);
  }
  const table = options.table ?? 'landed_idempotency';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new IdempotencyError(
      'invalid-options',
      `${factory}(): "${table}" is not a plain SQL identifier: use letters, digits and underscores.`,
    );
  }
  return table;
}
