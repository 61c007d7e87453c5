/**
 * Landed's browser build on the peer page framework, for the peer benchmarks only: the same
 * `createBrowserClient` setup as the `landed-browser` kind's page (localforage outbox in IndexedDB,
 * Web Locks, the chaos timeouts), driven the same way as every peer page — one `run` call, each write
 * taken once the previous `write()` resolved (durably in IndexedDB) — so the two sides of a ratio differ
 * only in the library.
 */
import { createBrowserClient } from '@landed/client/browser';
import {
  expose,
  kind,
  paced,
  principal,
  receiptOf,
  record,
  settled,
} from '../../src/clients/peers/pages/page-harness.ts';
import type { PlannedWrite } from '../../src/clients/workload.ts';

const client = createBrowserClient({
  name: `bench-${principal}`,
  baseUrl: location.origin,
  principal,
  headers: () => ({ authorization: `Bearer ${principal}` }),
  timeoutMs: 1_500,
  backoffBaseMs: 50,
  backoffCapMs: 800,
  retryBudget: { capacity: 200, refillPerSec: 50 },
});

client.on('confirmed', (entry) => {
  if (!entry.label) return;
  const receipt = receiptOf(entry.outcome?.body);
  record({
    type: 'verdict',
    at: entry.outcome?.at ?? Date.now(),
    client: kind,
    writeId: entry.label,
    verdict: 'confirmed',
    ...(receipt === undefined ? {} : { receipt }),
  });
});
for (const event of ['rejected', 'expired'] as const)
  client.on(event, (entry) => {
    if (entry.label)
      record({ type: 'verdict', at: Date.now(), client: kind, writeId: entry.label, verdict: event });
  });

async function accept(w: PlannedWrite): Promise<void> {
  const at = Date.now();
  const handle = await client.write({
    method: 'POST',
    url: `/api${w.path}`,
    body: w.body,
    lane: w.lane,
    label: w.writeId,
  });
  record({ type: 'enqueue', at, client: kind, writeId: w.writeId, key: handle.key, payload: w.body });
}

expose({ run: (writes, spreadMs) => paced(writes, spreadMs, accept), drain: settled });
