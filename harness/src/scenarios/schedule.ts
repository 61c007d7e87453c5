/**
 * Generated fault schedules: `mixed` draws one from its seed, `random` lets fast-check search (and
 * shrink) them. Both use the same arbitrary, so a schedule printed by either reads the same.
 */
import fc from 'fast-check';
import type { Fault, FaultStep } from './faults.ts';

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

/** The `mixed` schedule for a seed: several faults of every kind the stack has, overlapping. */
export function mixedSchedule(menu: readonly Fault[], seed: number): FaultStep[] {
  const [schedule] = fc.sample(scheduleArbitrary(menu, { min: 6, max: 10 }), { seed, numRuns: 1 });
  return schedule ?? [];
}
