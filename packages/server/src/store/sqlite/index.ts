/**
 * `@landed/server/sqlite`: the embedded default store on the built-in `node:sqlite` (Node ≥ 22.5).
 */

export { sqliteSchema } from './schema.ts';
export { type SqliteStore, type SqliteStoreOptions, sqliteStore } from './sqlite-store.ts';
