// The page of the localforage store tests: the store itself, plus raw IndexedDB access so a test can
// see exactly what is stored and damage it the way a crash, a bug or another script would.
import { createClient } from '@landed/client';
import { localforageStore } from '@landed/client/browser';

function database(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function rawKeys(name: string, storeName = 'outbox'): Promise<string[]> {
  const db = await database(name);
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction(storeName).objectStore(storeName).getAllKeys();
      request.onsuccess = () => resolve(request.result.map(String));
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

async function rawPut(name: string, key: string, value: unknown, storeName = 'outbox'): Promise<void> {
  const db = await database(name);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(storeName, 'readwrite');
      tx.objectStore(storeName).put(value, key);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function rawGet(name: string, key: string, storeName = 'outbox'): Promise<unknown> {
  const db = await database(name);
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction(storeName).objectStore(storeName).get(key);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** A plausible entry and its first log record, for the tests to commit. */
function make(id: string, seq: number, state = 'queued') {
  return {
    entry: {
      id,
      key: `key-${id}`,
      method: 'POST',
      url: 'https://api.example/orders',
      body: '{"n":1}',
      lane: 'default',
      seq,
      state,
      attempts: 0,
      createdAt: seq,
      updatedAt: seq,
    },
    log: { type: 'transition', at: seq, entryId: id, from: null, to: 'queued' },
  };
}

(globalThis as unknown as { s: unknown }).s = { createClient, localforageStore, rawKeys, rawPut, rawGet };
(globalThis as unknown as { make: unknown }).make = make;
document.title = 'ready';
