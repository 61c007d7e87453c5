/**
 * The few service-worker and Background Sync types the sender uses. TypeScript's `DOM` library has
 * neither `ServiceWorkerGlobalScope` nor `SyncManager` (they live in `WebWorker`, which cannot be
 * combined with `DOM`), so they are declared here as narrowly as they are used.
 */
export interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

export type SyncRegistration = ServiceWorkerRegistration & { readonly sync?: SyncManagerLike };

/** `SyncEvent`: fired on the worker when the browser believes the network is back. */
export interface SyncEventLike extends Event {
  readonly tag: string;
  /** True on the browser's last try for this registration. */
  readonly lastChance?: boolean;
  waitUntil(promise: Promise<unknown>): void;
}

export interface ServiceWorkerScopeLike extends EventTarget {
  readonly registration: SyncRegistration;
  readonly location: { readonly origin: string };
}

/** The worker's global scope, or `undefined` anywhere else (a page, a dedicated worker, Node). */
export function serviceWorkerScope(): ServiceWorkerScopeLike | undefined {
  const Scope = (globalThis as { ServiceWorkerGlobalScope?: abstract new () => unknown })
    .ServiceWorkerGlobalScope;
  return typeof Scope === 'function' && globalThis instanceof Scope
    ? (globalThis as unknown as ServiceWorkerScopeLike)
    : undefined;
}
