/**
 * A write as a client under test is handed it, and the museum workload: visitors buy a ticket, pair a
 * pen with it, then collect objects — in that order, which is why each visitor is its own lane.
 * Experiment files render their writes (`experiment/plan.ts`); `harness/experiments/museum.yaml`
 * renders exactly these (a test holds the two together). Deterministic from (client, instance,
 * count), so a restarted client process knows exactly which writes are its own.
 */

import type { JsonValue, WriteMethod } from '@landed/client';
import type { ClientKind } from '../checker/history.ts';

export interface PlannedWrite {
  writeId: string;
  /** A route of the target, e.g. the museum's `/tickets`. */
  path: string;
  /** The JSON body (an experiment's write without one carries undefined here). */
  body: JsonValue;
  /** Writes of one lane are sent in order (the museum: one lane per visitor). */
  lane: string;
  /** @default 'POST' */
  method?: WriteMethod;
}

/** Writes per visitor: ticket, pen, then objects. */
const VISIT_LENGTH = 5;

export function museumWorkload(client: ClientKind, instance: number, count: number): PlannedWrite[] {
  const writes: PlannedWrite[] = [];
  for (let n = 0; n < count; n++) {
    const visitor = `${client}-${instance}-v${Math.floor(n / VISIT_LENGTH)}`;
    const step = n % VISIT_LENGTH;
    const writeId = `${client}:${instance}:${n}`;
    if (step === 0)
      writes.push({
        writeId,
        path: '/tickets',
        lane: visitor,
        body: { writeId, visitor, ticket: `T-${visitor}`, price: 25 },
      });
    else if (step === 1)
      writes.push({
        writeId,
        path: '/pens/pair',
        lane: visitor,
        body: { writeId, visitor, ticket: `T-${visitor}`, pen: `P-${instance}-${n}` },
      });
    else
      writes.push({
        writeId,
        path: '/collections',
        lane: visitor,
        body: { writeId, visitor, pen: `P-${instance}-${n - step + 1}`, object: 18_383_769 + n },
      });
  }
  return writes;
}

/** Groups planned writes by lane, keeping order inside each. */
export function byLane(writes: readonly PlannedWrite[]): PlannedWrite[][] {
  const lanes = new Map<string, PlannedWrite[]>();
  for (const w of writes) {
    let lane = lanes.get(w.lane);
    if (!lane) {
      lane = [];
      lanes.set(w.lane, lane);
    }
    lane.push(w);
  }
  return [...lanes.values()];
}
