/**
 * Thrown by `handle()` after `exit-after-commit` when `exit` returned: the transaction committed and
 * the answer must never be sent. Adapters catch it with `abortOnFault()` and drop the connection.
 */
export class FaultExit extends Error {
  override name = 'FaultExit';
}
