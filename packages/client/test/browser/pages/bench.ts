// The page of browser.accept-throughput.localforage(-strict): durable accepts through the client
// (localforage store, nothing sent) against raw IndexedDB puts of the same entry, one transaction
// each, same page; the same again with `durability: 'strict'` on both sides.
import { createClient } from '@landed/client';
import { localforageStore } from '@landed/client/browser';

const offline = { isOnline: () => false, subscribe: () => () => {} };
const body = { visitor: 'v-1842', pen: 'p-77', objects: [18383769, 18383770], note: 'x'.repeat(200) };

function openRaw(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('bench-raw', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('entries');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(perRound: number, rounds: number) {
  const open = (durability: 'relaxed' | 'strict') =>
    createClient({
      store: localforageStore({ name: `bench-${durability}`, durability }),
      baseUrl: location.origin,
      online: offline,
      autoStart: false,
    });
  const client = open('relaxed');
  const strictClient = open('strict');
  const db = await openRaw();
  const rawPut = (i: number, durability: IDBTransactionDurability = 'default') =>
    new Promise<void>((resolve, reject) => {
      const now = Date.now();
      // The same shape and size the client stores: the entry and its first log record.
      const id = crypto.randomUUID();
      const record = {
        v: 1,
        entry: {
          id,
          key: crypto.randomUUID(),
          method: 'POST',
          url: `${location.origin}/tickets`,
          body: JSON.stringify(body),
          lane: 'default',
          seq: i,
          state: 'queued',
          attempts: 0,
          createdAt: now,
          updatedAt: now,
        },
        log: [{ type: 'transition', at: now, entryId: id, from: null, to: 'queued' }],
      };
      const tx = db.transaction('entries', 'readwrite', { durability });
      tx.objectStore('entries').put(record, `entry:${id}`);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  const ours: number[] = [];
  const baseline: number[] = [];
  const strict: number[] = [];
  const strictBaseline: number[] = [];
  for (let i = 0; i < 100; i++) {
    await client.post('/tickets', body);
    await rawPut(i);
    await strictClient.post('/tickets', body);
    await rawPut(i, 'strict');
  }
  const rate = async (into: number[], one: (i: number) => Promise<unknown>) => {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) await one(i);
    into.push(perRound / ((performance.now() - t) / 1000));
  };
  // Interleaved rounds: every path sees the same state of the machine.
  for (let round = 0; round < rounds; round++) {
    await rate(baseline, (i) => rawPut(i));
    await rate(ours, () => client.post('/tickets', body));
    await rate(strictBaseline, (i) => rawPut(i, 'strict'));
    await rate(strict, () => strictClient.post('/tickets', body));
  }
  const accepted = client.list().length;
  const acceptedStrict = strictClient.list().length;
  await client.close();
  await strictClient.close();
  db.close();
  return { ours, baseline, strict, strictBaseline, accepted, acceptedStrict };
}

(globalThis as unknown as { runBench: typeof run }).runBench = run;
document.title = 'ready';
