/** What every client under test offers a Scenario: the same workload, the same faults, one History. */
import type { ClientKind, Op } from '../checker/history.ts';
import type { PlannedWrite } from './workload.ts';

export type Record = (op: Op) => void;

export interface ClientRunner {
  readonly kind: ClientKind;
  readonly instance: number;
  /** Issues `writes` spread over `spreadMs` (lane order kept); resolves once every write was handed over. */
  run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void>;
  /** Waits until every write has its final answer or `timeoutMs` passes; what is left is recorded `unresolved`. */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Waits for `work`, but no longer than `ms`; the timer is cleared when the work ends first, so a
 * drained runner leaves nothing armed that would keep the process alive.
 */
export async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The receipt (ledger row id) a museum response carries, if any. */
export function receiptOf(body: unknown): number | undefined {
  const receipt = (body as { receipt?: unknown } | null | undefined)?.receipt;
  return typeof receipt === 'number' ? receipt : undefined;
}
