/**
 * `@landed/server/postgres`: the store for several server processes sharing one PostgreSQL (`pg`).
 */
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgresStore.ts';
export { postgresSchema } from './schema.ts';
