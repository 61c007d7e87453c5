/**
 * Plays a fault schedule over a scenario's window: each step starts at its share of the window, is
 * recorded in the History as it starts and stops, and is undone at the end of its span. A fault that
 * cannot be applied is recorded as such and skipped. Shared by the single-app and the fleet Nemesis.
 */
import type { Record } from '../clients/runner.ts';
import { sleep } from '../clients/runner.ts';

export interface TimedStep<F> {
  /** Start, as a share of the window (0–1). */
  from: number;
  /** End, as a share of the window (0–1). */
  to: number;
  fault: F;
}

export async function playSchedule<F>(
  steps: readonly TimedStep<F>[],
  windowMs: number,
  record: Record,
  label: (fault: F) => string,
  apply: (fault: F, until: number) => Promise<() => Promise<void>>,
): Promise<void> {
  const start = Date.now();
  await Promise.all(
    steps.map(async (step) => {
      await sleep(start + step.from * windowMs - Date.now());
      const name = label(step.fault);
      record({ type: 'fault', at: Date.now(), phase: 'start', name });
      const undo = await apply(step.fault, start + step.to * windowMs).catch((error: unknown) => {
        record({
          type: 'fault',
          at: Date.now(),
          phase: 'stop',
          name: `${name} (not applied: ${String(error)})`,
        });
        return undefined;
      });
      if (!undo) return;
      await sleep(start + step.to * windowMs - Date.now());
      await undo().catch(() => {});
      record({ type: 'fault', at: Date.now(), phase: 'stop', name });
    }),
  );
}
