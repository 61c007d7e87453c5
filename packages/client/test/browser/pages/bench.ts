// The page of browser.accept-throughput.localforage: durable accepts through the client (localforage
// store, nothing sent) against raw IndexedDB puts of the same entry, one transaction each, same page.
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
  const client = createClient({
    store: localforageStore({ name: 'bench' }),
    baseUrl: location.origin,
    online: offline,
    autoStart: false,
  });
  const db = await openRaw();
  const rawPut = (i: number) =>
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
      const tx = db.transaction('entries', 'readwrite');
      tx.objectStore('entries').put(record, `entry:${id}`);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 100; i++) {
    await client.post('/tickets', body);
    await rawPut(i);
  }
  // Interleaved rounds: both paths see the same state of the machine.
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (let i = 0; i < perRound; i++) await rawPut(i);
    baseline.push(perRound / ((performance.now() - t) / 1000));
    t = performance.now();
    for (let i = 0; i < perRound; i++) await client.post('/tickets', body);
    ours.push(perRound / ((performance.now() - t) / 1000));
  }
  const accepted = client.list().length;
  await client.close();
  db.close();
  return { ours, baseline, accepted };
}

(globalThis as unknown as { runBench: typeof run }).runBench = run;
document.title = 'ready';
