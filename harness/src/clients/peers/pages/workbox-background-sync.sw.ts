/**
 * The service worker of the `workbox-background-sync` kind, as Workbox's guide writes it with the
 * `Queue` class (https://developer.chrome.com/docs/workbox/modules/workbox-background-sync, "Advanced
 * usage"): a POST to `/api/` is fetched; when the fetch fails (a network error — an HTTP error answer
 * is a response and is passed on), the request is pushed to the queue, which replays it on the
 * browser's `sync` event with the queue's default `replayRequests()`. Default options: 7 days
 * retention, no `onSync`.
 *
 * The worker's `fetch` is observed (not changed) so every attempt — the first and each replay — is
 * reported to the page, and a replay that got an answer says which.
 */
import { Queue } from 'workbox-background-sync';

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface Worker {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void>; matchAll(o?: object): Promise<{ postMessage(m: unknown): void }[]> };
  fetch: typeof fetch;
  addEventListener(type: string, listener: (e: never) => void): void;
}
const worker = self as unknown as Worker;

async function tell(message: object): Promise<void> {
  for (const client of await worker.clients.matchAll({ includeUncontrolled: true }))
    client.postMessage(message);
}

const realFetch = worker.fetch.bind(worker);

/** One attempt, reported to the page: `replay` when the queue sent it, not the page. */
async function observed(request: Request, replay: boolean): Promise<Response> {
  const writeId = await request
    .clone()
    .json()
    .then((b: { writeId?: string }) => b.writeId)
    .catch(() => undefined);
  try {
    const response = await realFetch(request);
    const body = await response
      .clone()
      .json()
      .catch(() => undefined);
    void tell({ type: 'attempt', writeId, status: response.status, replay, body });
    return response;
  } catch (error) {
    void tell({ type: 'attempt', writeId, replay, error: String(error) });
    throw error;
  }
}

// The queue replays with the global fetch: only its replays come through here.
worker.fetch = (input, init) => observed(input instanceof Request ? input : new Request(input, init), true);

let replaying: Promise<void> | undefined;

/** The queue's default replay; one at a time, and the page hears how many requests still wait. */
function replay(queue: Queue): Promise<void> {
  replaying ??= queue.replayRequests().finally(async () => {
    replaying = undefined;
    void tell({ type: 'queue', size: await queue.size() });
  });
  return replaying;
}

// `onSync` spelled out is the default (`replayRequests`), here so a sync replay is announced too.
const queue: Queue = new Queue('museum-writes', { onSync: ({ queue: q }) => replay(q) });

worker.addEventListener('install', () => void worker.skipWaiting());
worker.addEventListener('activate', (event: ExtendableEvent) => event.waitUntil(worker.clients.claim()));

worker.addEventListener('fetch', (event: FetchEvent) => {
  if (event.request.method !== 'POST' || !new URL(event.request.url).pathname.startsWith('/api/')) return;
  const bgSyncLogic = async () => {
    try {
      return await observed(event.request.clone(), false);
    } catch {
      await queue.pushRequest({ request: event.request });
      return Response.error();
    }
  };
  event.respondWith(bgSyncLogic());
});

// What the harness can ask: how many requests wait, and the queue's own replay (the stand-in for the
// browser's later sync retries, which Chromium spaces minutes apart).
worker.addEventListener('message', (event: ExtendableEvent & { data: unknown }) => {
  if (event.data === 'replay') event.waitUntil(replay(queue).catch(() => {}));
  if (event.data === 'size') event.waitUntil(queue.size().then((size) => tell({ type: 'queue', size })));
});
