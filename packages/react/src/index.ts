/**
 * @landed/react — React bindings for a Landed outbox: a provider, and hooks on
 * `useSyncExternalStore` for the outbox summary, one entry's live state and a write function.
 * The TanStack Query adapter is `@landed/react/query`.
 */

export type { LandedProviderProps } from './context.ts';
export { LandedProvider, useLandedClient } from './context.ts';
export { useEntry, useOutboxSummary, useWrite } from './hooks.ts';
export type { Snapshots } from './snapshots.ts';
export { snapshotsOf } from './snapshots.ts';
