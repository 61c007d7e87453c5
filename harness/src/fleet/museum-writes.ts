/**
 * The museum writes a client sends in a fleet scenario: visitors buy a ticket, pair a pen with it,
 * then collect objects — one lane per visitor, so a pen is never paired before its ticket exists.
 * Deterministic from (kind, client, count), the same writes the single-app museum matrix sends.
 */
import type { ClientKind } from '../checker/history.ts';
import type { PlannedWrite } from '../clients/workload.ts';

/** Writes per visitor: ticket, pen, then three objects. */
const VISIT_LENGTH = 5;

export function museumWrites(kind: ClientKind, client: number, count: number): PlannedWrite[] {
  const writes: PlannedWrite[] = [];
  for (let n = 0; n < count; n++) {
    const visitor = `${kind}-${client}-v${Math.floor(n / VISIT_LENGTH)}`;
    const step = n % VISIT_LENGTH;
    const writeId = `${kind}:${client}:${n}`;
    const ticket = `T-${visitor}`;
    if (step === 0)
      writes.push({
        writeId,
        path: '/tickets',
        lane: visitor,
        body: { writeId, visitor, ticket, price: 25 },
      });
    else if (step === 1)
      writes.push({
        writeId,
        path: '/pens/pair',
        lane: visitor,
        body: { writeId, visitor, ticket, pen: `P-${client}-${n}` },
      });
    else
      writes.push({
        writeId,
        path: '/collections',
        lane: visitor,
        body: { writeId, visitor, pen: `P-${client}-${n - step + 1}`, object: 18_383_769 + n },
      });
  }
  return writes;
}
