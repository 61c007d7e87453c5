/**
 * Reads the target's effects after a run, read from the target directly (never through the proxy),
 * as ledger rows the Checker understands: through a GET route per write, or the `/_chaos/ledger`
 * contract.
 */
import type { LedgerRow } from '../checker/history.ts';
import { principalOf } from '../checker/history.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { Verification } from './Experiment.ts';
import { render, type WriteFields } from './template.ts';

export interface SentWrite {
  fields: WriteFields;
  body: unknown;
}

export async function readEffects(
  target: string,
  verify: Verification,
  writes: readonly SentWrite[],
): Promise<LedgerRow[]> {
  return verify.kind === 'get' ? viaGetRoute(target, verify.path, writes) : viaLedger(target, writes);
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
      payload: contains(stored, w.body) ? JSON.stringify(w.body) : text,
      principal: principalOf('landed', w.fields.client),
      at: 0,
    });
  }
  return rows;
}

async function viaLedger(target: string, writes: readonly SentWrite[]): Promise<LedgerRow[]> {
  const url = `${target}/_chaos/ledger`;
  const res = await fetch(url).catch((cause: unknown) => {
    throw new HarnessError('TARGET_UNREACHABLE', `GET ${url} did not answer: is the target running?`, {
      cause,
    });
  });
  if (!res.ok)
    throw new HarnessError(
      'VERIFY_FAILED',
      `GET ${url} answered ${res.status}; see the ledger contract in docs/harness.md.`,
    );
  // The target keeps rows of earlier runs: only this run's write ids count.
  const ours = new Set(writes.map((w) => w.fields.writeId));
  return ((await res.json()) as { rows: LedgerRow[] }).rows.filter((row) => ours.has(row.writeId));
}

/** Whether `stored` has every field of `sent` with the same value (deeply). */
export function contains(stored: unknown, sent: unknown): boolean {
  if (sent === undefined) return true;
  if (sent === null || typeof sent !== 'object') return stored === sent;
  if (stored === null || typeof stored !== 'object') return false;
  if (Array.isArray(sent))
    return (
      Array.isArray(stored) && stored.length === sent.length && sent.every((v, i) => contains(stored[i], v))
    );
  return Object.entries(sent).every(([k, v]) => contains((stored as Record<string, unknown>)[k], v));
}
