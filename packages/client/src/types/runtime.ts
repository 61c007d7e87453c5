/**
 * Platform contracts the core is given instead of touching globals (TanStack Query's managers are the
 * model): tests swap them for deterministic ones, each runtime gets its adapter.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OnlineSignal {
  isOnline(): boolean;
  /** Calls `listener` whenever the platform reports a change (browser `online`/`offline`). */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** Fires when the app comes to the foreground (`visibilitychange`), a good moment to flush. */
export interface FocusSignal {
  subscribe(listener: () => void): () => void;
}
