/**
 * What every adapter does with `FaultExit` (the `exit-after-commit` hook, when `exit` returned): the
 * transaction committed and no answer may be sent, so the connection is dropped, as a dead process
 * would leave it. The client then sees a reset, the "looks failed but succeeded" case.
 */
import { FaultExit } from '../core/FaultExit.ts';

/** Calls `drop` and returns true when `error` is a `FaultExit`; returns false for any other error. */
export function abortOnFault(error: unknown, drop: () => void): boolean {
  if (!(error instanceof FaultExit)) return false;
  drop();
  return true;
}
