/**
 * @landed/client/node — the parts of the client that need Node: the durable file store (an
 * append-only, fdatasync'd, group-committed journal with a lock file so one process sends from one
 * outbox). Browser bundles never import this entry, so they never pull `node:fs`.
 */

export type { FileStore } from './store/file/file-store.ts';
export { fileStore, JOURNAL_FILE, QUARANTINE_FILE } from './store/file/file-store.ts';
export type { FileStoreStats } from './store/file/Journal.ts';
export { LOCK_FILE } from './store/file/lock.ts';
export type { FileStoreOptions } from './store/file/options.ts';
