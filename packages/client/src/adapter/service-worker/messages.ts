/**
 * What a page and its service worker say to each other: one hello, so a page learns that its worker
 * runs the sender, for which outbox, and under which Background Sync tag. Everything else travels the
 * way it does between tabs: the shared IndexedDB store, the Web Lock and the BroadcastChannel.
 */
export const HELLO = 'landed:hello';

/** The page's hello, posted to the worker with a port for the answer. */
export interface HelloRequest {
  type: typeof HELLO;
  /** The outbox the page writes to. */
  name: string;
}

/** The worker's answer. */
export interface HelloAnswer {
  type: typeof HELLO;
  /** The outbox the worker sends from. */
  name: string;
  /** The Background Sync tag the worker drains on. */
  tag: string;
  /** Whether the browser has Background Sync (`registration.sync`). */
  backgroundSync: boolean;
}

/** The lock, channel and tag names every part derives from the outbox name (see `createBrowserClient`). */
export const outboxTag = (name: string): string => `landed:${name}`;

export function isHello(data: unknown): data is HelloRequest {
  if (typeof data !== 'object' || data === null) return false;
  const { type, name } = data as { type?: unknown; name?: unknown };
  return type === HELLO && typeof name === 'string';
}

export function isHelloAnswer(data: unknown): data is HelloAnswer {
  if (!isHello(data)) return false;
  const { tag, backgroundSync } = data as { tag?: unknown; backgroundSync?: unknown };
  return typeof tag === 'string' && typeof backgroundSync === 'boolean';
}
