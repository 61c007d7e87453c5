/**
 * `@landed/server/postgres`: the store for several server processes sharing one PostgreSQL (`pg`).
 */
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgres-store.ts';
export { postgresSchema } from './schema.ts';
