import { LandedError } from '../../errors/LandedError.ts';
import type { Client, Transition } from '../../types/client.ts';
import { HELLO, type HelloAnswer, type HelloRequest, isHelloAnswer } from './messages.ts';
import type { SyncRegistration } from './scope.ts';

export interface ConnectServiceWorkerOptions {
  /** The outbox the page's client writes to: the `name` given to `createBrowserClient()`. @default 'landed' */
  name?: string;
  /** The registration of the worker that runs `serviceWorkerSender()`. @default the one controlling this page's URL */
  registration?: ServiceWorkerRegistration;
  /** How long the worker has to answer the page's hello. @default 10_000 */
  timeoutMs?: number;
}

export interface ServiceWorkerLink {
  /** The Background Sync tag the worker drains on. */
  readonly tag: string;
  /** Whether the browser has Background Sync: without it, writes wait for a page (or a running worker). */
  readonly backgroundSync: boolean;
  /** Registers the sync now (the link does when a write cannot go out); a no-op without Background Sync. */
  requestSync(): Promise<void>;
  /** Stops registering syncs for the page's writes. */
  close(): void;
}

/** The registration's worker once it is active (a fresh registration is still installing). */
function activeWorker(registration: ServiceWorkerRegistration): Promise<ServiceWorker | undefined> {
  if (registration.active) return Promise.resolve(registration.active);
  const coming = registration.installing ?? registration.waiting;
  if (!coming) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const check = () => {
      if (coming.state === 'activated') resolve(coming);
      else if (coming.state === 'redundant') resolve(undefined);
      else return;
      coming.removeEventListener('statechange', check);
    };
    coming.addEventListener('statechange', check);
  });
}

function hello(worker: ServiceWorker, name: string, timeoutMs: number): Promise<HelloAnswer | undefined> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    const timer = setTimeout(() => done(undefined), timeoutMs);
    function done(answer: HelloAnswer | undefined) {
      clearTimeout(timer);
      port1.close();
      resolve(answer);
    }
    port1.onmessage = (event: MessageEvent<unknown>) => {
      if (isHelloAnswer(event.data)) done(event.data);
    };
    const request: HelloRequest = { type: HELLO, name };
    worker.postMessage(request, [port2]);
  });
}

const missing = (why: string) =>
  new LandedError(
    'SERVICE_WORKER_MISSING',
    `connectServiceWorker(): ${why}. Register a worker whose script calls serviceWorkerSender() from '@landed/client/sw' (navigator.serviceWorker.register('/sw.js', { type: 'module' })) before connecting`,
  );

/**
 * Hands the page's writes to its service worker when the page cannot send them: checks that the
 * worker runs `serviceWorkerSender()` for the same outbox, then registers the worker's Background Sync
 * tag whenever a write waits for the network — written while the browser is offline, or after an
 * attempt that got no answer — and when the page goes away with writes still waiting. The browser
 * fires the sync once it is online, with or without a tab open, and the worker sends them.
 *
 * Rejects with `SERVICE_WORKER_MISSING` when no worker answers as a sender, and with
 * `SERVICE_WORKER_MISMATCH` when the worker sends from another outbox than `name`.
 */
export async function connectServiceWorker(
  client: Client,
  options: ConnectServiceWorkerOptions = {},
): Promise<ServiceWorkerLink> {
  const name = options.name ?? 'landed';
  const container = globalThis.navigator?.serviceWorker;
  if (!container && !options.registration)
    throw missing('this page has no service workers (not a secure context, or not a browser page)');
  const registration = (options.registration ?? (await container.getRegistration())) as
    | SyncRegistration
    | undefined;
  if (!registration) throw missing(`no service worker is registered for ${location.href}`);
  const worker = await activeWorker(registration);
  if (!worker) throw missing('the registered service worker never became active');
  const answer = await hello(worker, name, options.timeoutMs ?? 10_000);
  if (!answer) throw missing(`the service worker (${worker.scriptURL}) did not answer as a Landed sender`);
  if (answer.name !== name) {
    throw new LandedError(
      'SERVICE_WORKER_MISMATCH',
      `connectServiceWorker(): this page writes to the outbox "${name}" but its service worker sends from "${answer.name}": give createBrowserClient(), connectServiceWorker() and serviceWorkerSender() the same \`name\``,
    );
  }
  return link(client, registration, answer);
}

function link(client: Client, registration: SyncRegistration, answer: HelloAnswer): ServiceWorkerLink {
  const sync = registration.sync;
  let asking: Promise<void> | undefined;
  // One registration call at a time: the browser keeps one registration per tag anyway.
  const requestSync = (): Promise<void> => {
    if (!sync) return Promise.resolve();
    asking ??= sync
      .register(answer.tag)
      .catch(() => {}) // permission denied, or the registration went away: the tabs still send
      .finally(() => {
        asking = undefined;
      });
    return asking;
  };
  const waiting = () => client.summary().waiting > 0;
  const offline = () => globalThis.navigator?.onLine === false;
  const unsubscribe = client.on('transition', ({ entry, to }: Transition) => {
    // A write that cannot go out now: written offline, or back in line after an attempt that failed.
    if (to === 'uncertain' || (to === 'queued' && (offline() || entry.lastError !== undefined)))
      void requestSync();
  });
  const onLeave = () => {
    if (waiting()) void requestSync();
  };
  const onOffline = onLeave;
  globalThis.addEventListener?.('pagehide', onLeave);
  globalThis.addEventListener?.('offline', onOffline);
  if (waiting() && offline()) void requestSync();
  return {
    tag: answer.tag,
    backgroundSync: sync !== undefined,
    requestSync,
    close() {
      unsubscribe();
      globalThis.removeEventListener?.('pagehide', onLeave);
      globalThis.removeEventListener?.('offline', onOffline);
    },
  };
}
