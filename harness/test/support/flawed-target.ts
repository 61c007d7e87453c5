/**
 * A `--target` server with two deliberate flaws, for proving that a run reports what went wrong: it
 * refuses every pen pairing of the Landed client `landed:0` (403: a write that needs a person), and
 * its ledger shows the first Landed write twice and a row nobody wrote (two violations). Otherwise it
 * is the reference app on its own SQLite file.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { openDatabase } from '../../src/app/database.ts';
import { readSqliteLedger } from '../../src/app/ledger.ts';
import { createReferenceApp } from '../../src/app/ReferenceApp.ts';
import type { LedgerRow } from '../../src/checker/history.ts';

export const DOUBLED = 'landed:0:0';
export const GHOST = 'landed:0:ghost';

export interface FlawedTarget {
  readonly url: string;
  close(): Promise<void>;
}

export async function startFlawedTarget(dir: string): Promise<FlawedTarget> {
  const path = join(dir, 'flawed.sqlite');
  const database = await openDatabase({ kind: 'sqlite', path });
  const ledger = async (): Promise<LedgerRow[]> => {
    const rows = await readSqliteLedger(path);
    const first = rows.find((r) => r.writeId === DOUBLED);
    if (!first) return rows;
    const next = rows.reduce((max, r) => Math.max(max, r.id), 0) + 1;
    return [
      ...rows,
      { ...first, id: next },
      { ...first, id: next + 1, writeId: GHOST, key: null, payload: '{}' },
    ];
  };
  const app = createReferenceApp({ database, faultsEnabled: true, readLedger: ledger });
  const server = createServer((req, res) => {
    if (
      req.method === 'POST' &&
      req.url === '/pens/pair' &&
      req.headers.authorization === 'Bearer landed:0'
    ) {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'pairing-closed', detail: 'Pen pairing is closed today.' }));
      return;
    }
    app.listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
