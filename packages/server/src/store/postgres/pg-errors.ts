/** PostgreSQL error codes and the test for a lost connection, as the store reads them. */

/** `1 / 0` in the finishing statement: another attempt took the lock over. */
export const DIVISION_BY_ZERO = '22012';
/** The connection lost its prepared statements (`DISCARD ALL`, a pooler's other connection). */
export const UNDEFINED_PREPARED_STATEMENT = '26000';

/** Connection-level failures (server gone, shut down, unreachable) as opposed to a bad query. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (/^(08|57P|53)/.test(code) || /^E(CONN|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH)/.test(code))
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}
