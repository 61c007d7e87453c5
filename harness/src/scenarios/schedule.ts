/**
 * Fault schedules: a scenario's fixed faults laid out on its window, one drawn from a seed (`draw`,
 * the museum's `mixed`), or ones fast-check searches and shrinks (`search`, the museum's `random`).
 * The last two use the same arbitrary, so a schedule printed by either reads the same.
 */
import fc from 'fast-check';
import type { TimedFault } from '../experiment/Experiment.ts';
import type { Fault, FaultStep } from './faults.ts';

/**
 * A scenario's fixed faults as steps, with the window their shares are of: the workload's for faults
 * timed `during` shares of it, else the span from the first write to the end of the last fault (ms).
 */
export function fixedSchedule(
  faults: readonly TimedFault[],
  workloadMs: number,
): { steps: FaultStep[]; windowMs: number } {
  if (faults.some((f) => 'during' in f))
    return {
      steps: faults.flatMap((f) =>
        ('during' in f ? f.during : []).map(([from, to]) => ({ from, to, fault: f.fault })),
      ),
      windowMs: workloadMs,
    };
  const windowMs = Math.max(1, ...faults.map((f) => ('start' in f ? f.start + f.duration : 0)));
  return {
    steps: faults.map((f) => {
      const start = 'start' in f ? f.start : 0;
      const end = 'start' in f ? f.start + f.duration : 0;
      return { from: start / windowMs, to: end / windowMs, fault: f.fault };
    }),
    windowMs,
  };
}

export function scheduleArbitrary(
  menu: readonly Fault[],
  size: { min: number; max: number },
): fc.Arbitrary<FaultStep[]> {
  const step = fc
    .record({
      fault: fc.constantFrom(...menu),
      // Whole percents keep printed schedules short and shrink to round numbers.
      from: fc.integer({ min: 0, max: 85 }),
      length: fc.integer({ min: 5, max: 40 }),
    })
    .map(({ fault, from, length }) => ({ fault, from: from / 100, to: Math.min(95, from + length) / 100 }));
  return fc.array(step, { minLength: size.min, maxLength: size.max });
}

/** The schedule a seed draws: `min`–`max` faults from the menu, overlapping (the museum's `mixed`: 6–10). */
export function mixedSchedule(
  menu: readonly Fault[],
  seed: number,
  size: { min: number; max: number } = { min: 6, max: 10 },
): FaultStep[] {
  const [schedule] = fc.sample(scheduleArbitrary(menu, size), { seed, numRuns: 1 });
  return schedule ?? [];
}
