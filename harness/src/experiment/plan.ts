/**
 * The writes one client sends in one scenario run, rendered from the experiment's write plan: the
 * same for a client in this process and for a client process started again after a kill, so each
 * knows exactly which writes are its own.
 */
import type { JsonValue } from '@landed/client';
import type { ClientKind } from '../checker/history.ts';
import type { PlannedWrite } from '../clients/workload.ts';
import type { WritePlan } from './Experiment.ts';
import type { SentWrite } from './payload.ts';
import { render, renderBody, type WriteFields } from './template.ts';

export interface ClientWrites {
  writes: PlannedWrite[];
  /** The same writes with the fields that made them, for verification by route or SQL. */
  sent: SentWrite[];
}

export function planWrites(
  plan: WritePlan,
  kind: ClientKind,
  client: number,
  count: number,
  run: string,
): ClientWrites {
  const writes: PlannedWrite[] = [];
  const sent: SentWrite[] = [];
  const length = plan.sequence.length;
  for (let n = 0; n < count; n++) {
    const step = n % length;
    const template = plan.sequence[step] ?? plan.sequence[0];
    if (!template) break;
    const fields: WriteFields = { writeId: '', n, client, kind, run, step, round: Math.floor(n / length) };
    fields.writeId = render(plan.writeId, fields);
    for (const [name, value] of Object.entries(plan.fields)) fields[name] = render(value, fields);
    const body = renderBody(template.body, fields);
    sent.push({ fields, body });
    writes.push({
      writeId: fields.writeId,
      method: template.method,
      path: render(template.path, fields),
      lane: render(plan.lane, fields),
      // A write without a body is sent without one: the runners pass it on as it is.
      body: body as JsonValue,
    });
  }
  return { writes, sent };
}
