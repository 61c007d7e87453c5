import { validateOptions } from '../../core/validate.ts';
import { LandedError } from '../../errors/LandedError.ts';
import { localforageStore } from '../../store/localforage/localforage-store.ts';
import type { FocusSignal } from '../../types/runtime.ts';
import { type BrowserClientOptions, createBrowserClient } from '../browser/create-browser-client.ts';
import { browserOnline } from '../browser/online.ts';
import { HELLO, type HelloAnswer, isHello, outboxTag } from './messages.ts';
import { type ServiceWorkerScopeLike, type SyncEventLike, serviceWorkerScope } from './scope.ts';

export interface ServiceWorkerSenderOptions
  extends Omit<
    BrowserClientOptions,
    'store' | 'leadership' | 'channel' | 'online' | 'focus' | 'autoStart' | 'principal'
  > {
  /**
   * The Background Sync tag pages register (`connectServiceWorker()` does) and this worker drains on.
   * @default `landed:${name}`
   */
  tag?: string;
  /**
   * Whose writes the worker sends: a client never sends another principal's entries. The worker has no
   * session of its own, so give it the principal the pages are signed in under, or a function that
   * reads it (from IndexedDB, say) at each drain.
   */
  principal?: string | (() => string | undefined | Promise<string | undefined>);
  /**
   * How long one drain waits for every write to have an outcome before it gives up and lets the
   * browser try the sync again later (Chromium cuts a sync event off after 3 minutes). @default 60_000
   */
  drainTimeoutMs?: number;
}

export interface ServiceWorkerSender {
  /** The outbox this worker sends from. */
  readonly name: string;
  /** The Background Sync tag it drains on. */
  readonly tag: string;
  /** Whether the browser has Background Sync; without it the worker drains on its `online` event. */
  readonly backgroundSync: boolean;
  /**
   * Joins the outbox's senders (the tabs holding or waiting for its Web Lock) until every write has an
   * outcome: sends them itself once it holds the lock, or waits while a tab sends them. Resolves when
   * none is left; rejects after `drainTimeoutMs` with some still waiting. Lets go of the lock when done.
   * One drain runs at a time: a call while one runs gets the same promise. For the app's own events
   * (`push`, `periodicsync`): `event.waitUntil(sender.drain())`.
   */
  drain(): Promise<void>;
}

/** The worker has no page to come back to the foreground. */
const noFocus: FocusSignal = { subscribe: () => () => {} };

/**
 * Runs the outbox's sender inside a service worker, so writes queued in a page go out when the network
 * returns even after every tab of the app was closed. Call it once, at the top level of the worker
 * script (a worker's event listeners must be added while its script first runs).
 *
 * The worker is one more instance of the same outbox — the same IndexedDB store, Web Lock and
 * BroadcastChannel as the tabs (all named after `name`) — but one that only sends, and only inside an
 * event that keeps it alive: on the `sync` event of its tag it drains (`event.waitUntil`), then lets go
 * of the lock. Whoever holds the lock sends; the others hand over, so a page and the worker never both
 * send. Throws `SERVICE_WORKER_REQUIRED` anywhere but a service worker's global scope.
 */
export function serviceWorkerSender(options: ServiceWorkerSenderOptions = {}): ServiceWorkerSender {
  const scope = serviceWorkerScope();
  if (!scope) {
    throw new LandedError(
      'SERVICE_WORKER_REQUIRED',
      "serviceWorkerSender() runs in a service worker only: call it in the worker's script (the file passed to navigator.serviceWorker.register()); in a page, use createBrowserClient() and connectServiceWorker()",
    );
  }
  const { name = 'landed', tag = outboxTag(name), principal, drainTimeoutMs = 60_000, ...rest } = options;
  const clientOptions = { baseUrl: scope.location.origin, ...rest, name };
  validateOptions({ ...clientOptions, store: localforageStore({ ...rest.storeOptions, name }) });
  const backgroundSync = scope.registration.sync !== undefined;
  let running: Promise<void> | undefined;

  async function drainOnce(): Promise<void> {
    const who = typeof principal === 'function' ? await principal() : principal;
    const client = createBrowserClient({
      ...clientOptions,
      online: browserOnline(scope as unknown as Window),
      focus: noFocus,
      ...(who === undefined ? {} : { principal: who }),
    });
    try {
      // The browser says the network is back: a tab that sends is asked to flush now. This worker
      // waits for the lock in the same queue as the tabs and sends once it holds it.
      await client.flush();
      await client.drain({ timeoutMs: drainTimeoutMs });
    } finally {
      // Nothing of this worker's is left on the wire when the lock passes to the next tab.
      if (client.summary().leader) await client.flush().catch(() => {});
      await client.close();
    }
  }

  const sender: ServiceWorkerSender = {
    name,
    tag,
    backgroundSync,
    drain() {
      running ??= drainOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
  listen(scope, sender);
  return sender;
}

function listen(scope: ServiceWorkerScopeLike, sender: ServiceWorkerSender): void {
  scope.addEventListener('sync', (event) => {
    const sync = event as SyncEventLike;
    // A rejected drain tells the browser to try the sync again later, with its own backoff.
    if (sync.tag === sender.tag) sync.waitUntil(sender.drain());
  });
  scope.addEventListener('message', (event) => {
    const message = event as MessageEvent<unknown>;
    if (!isHello(message.data)) return;
    const answer: HelloAnswer = {
      type: HELLO,
      name: sender.name,
      tag: sender.tag,
      backgroundSync: sender.backgroundSync,
    };
    message.ports[0]?.postMessage(answer);
  });
  // Without Background Sync nothing wakes a stopped worker when the network returns: while it runs it
  // drains on `online`, and otherwise the next tab of the app sends (online, focus, timers, start-up).
  if (!sender.backgroundSync)
    scope.addEventListener('online', () => {
      sender.drain().catch(() => {});
    });
}
