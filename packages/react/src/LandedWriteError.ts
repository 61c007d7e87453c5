import { LandedError, type Outcome, type WriteHandle } from '@landed/client';

/**
 * Thrown by a mutation written through the outbox (`@landed/react/query`) whose write did not land:
 * `WRITE_REJECTED` when the server refused it (never retried), `WRITE_EXPIRED` when its outcome
 * could not be established and a person decides (replay or discard, see the console). It carries the
 * entry's id and its outcome (`status`, `body`, `reason`). `isLandedError()` holds for it.
 */
export class LandedWriteError extends LandedError {
  readonly id: string;
  readonly key: string;
  readonly outcome: Outcome;

  constructor(handle: Pick<WriteHandle, 'id' | 'key'>, outcome: Outcome) {
    const rejected = outcome.state === 'rejected';
    super(
      rejected ? 'WRITE_REJECTED' : 'WRITE_EXPIRED',
      rejected
        ? `write ${handle.id} was rejected: ${outcome.reason ?? 'the server refused it'}; it is not sent again`
        : `write ${handle.id} expired: ${outcome.reason ?? 'its outcome could not be established'}; a person decides (replay or discard it)`,
    );
    this.id = handle.id;
    this.key = handle.key;
    this.outcome = outcome;
  }
}
