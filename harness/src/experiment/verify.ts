/**
 * Reads the target's effects after a run, read from the target directly (never through the proxy),
 * as ledger rows the Checker understands: through a GET route per write, or a SQL query against its
 * database (`verify-sql.ts`). The ledger (`/_chaos/ledger`, or the reference app's database) is read
 * by the stage (`scenarios/Stage.ts`), which knows which rows are this scenario's.
 */
import type { LedgerRow } from '../checker/history.ts';
import { principalOf } from '../checker/history.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { Verification } from './Experiment.ts';
import { type SentWrite, storedPayload } from './payload.ts';
import { render } from './template.ts';
import { viaSql } from './verify-sql.ts';

export async function readEffects(
  target: string,
  verify: Exclude<Verification, { kind: 'ledger' }>,
  writes: readonly SentWrite[],
): Promise<LedgerRow[]> {
  return verify.kind === 'get'
    ? viaGetRoute(target, verify.path, writes)
    : viaSql(verify.database, verify.query, writes);
}

/**
 * A GET route holds one stored body per write, so it shows lost writes and wrong payloads but never
 * a write applied twice: the output says so.
 */
async function viaGetRoute(
  target: string,
  template: string,
  writes: readonly SentWrite[],
): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  for (const w of writes) {
    const url = `${target}${render(template, w.fields)}`;
    const res = await fetch(url).catch((cause: unknown) => {
      throw new HarnessError('TARGET_UNREACHABLE', `GET ${url} did not answer: is the target running?`, {
        cause,
      });
    });
    const text = await res.text();
    if (res.status === 404) continue;
    if (res.status !== 200)
      throw new HarnessError(
        'VERIFY_FAILED',
        `GET ${url} answered ${res.status}; the verification route must answer 200 with the stored body, or 404.`,
      );
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      stored = text;
    }
    rows.push({
      id: rows.length + 1,
      writeId: w.fields.writeId,
      key: null,
      op: 'get',
      // A server adds its own fields (an id, a timestamp): the write is intact when every field sent is stored.
      payload: storedPayload(stored, w.body),
      principal: principalOf(w.fields.kind ?? 'landed', w.fields.client),
      at: 0,
    });
  }
  return rows;
}
