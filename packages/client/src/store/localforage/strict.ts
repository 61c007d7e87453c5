/**
 * Writes that IndexedDB flushes to the disk before they complete. Chromium (since 121), Firefox and
 * Safari commit a transaction "relaxed" unless asked otherwise: it completes once the change is handed
 * to the operating system, so it survives a tab or browser crash but not a power cut or an OS crash.
 * localforage opens its transactions without the option, so the strict view's `setItem` and
 * `removeItem` go to the database localforage's IndexedDB driver holds open (`_dbInfo`), with
 * `{ durability: 'strict' }`, in the same object store and under the same keys: localforage reads what
 * they wrote as its own. Everything else is localforage's.
 */

type Step = (store: IDBObjectStore) => IDBRequest;

function onDisk(db: LocalForage, step: Step): Promise<void> {
  const { db: idb, storeName } = (db as unknown as { _dbInfo: { db: IDBDatabase; storeName: string } })
    ._dbInfo;
  return new Promise((resolve, reject) => {
    const tx = idb.transaction(storeName, 'readwrite', { durability: 'strict' });
    const request = step(tx.objectStore(storeName));
    tx.oncomplete = () => resolve();
    // A request's error (a full quota) reaches the transaction before the transaction holds it.
    tx.onabort = tx.onerror = () => reject(tx.error ?? request.error);
  });
}

export function strictView(db: LocalForage): LocalForage {
  // When the browser closed the connection under localforage (another tab upgraded the database, site
  // data was cleared), localforage reconnects by making the same change itself; it is then made once
  // more, strictly, on the new connection.
  const strictly = async (step: Step, again: () => Promise<unknown>) => {
    try {
      await onDisk(db, step);
    } catch (error) {
      if ((error as Error).name !== 'InvalidStateError') throw error;
      await again();
      await onDisk(db, step);
    }
  };
  return Object.assign(Object.create(db) as LocalForage, {
    setItem: <T>(key: string, value: T) =>
      strictly(
        (store) => store.put(value, key),
        () => db.setItem(key, value),
      ).then(() => value),
    removeItem: (key: string) =>
      strictly(
        (store) => store.delete(key),
        () => db.removeItem(key),
      ),
  });
}
