/**
 * The page of the `workbox-background-sync` kind: it registers the service worker, waits until the
 * worker controls it, and sends each museum write as a plain `fetch` POST the worker intercepts.
 *
 * What the app can tell the person, and so what is recorded:
 * - an answer from the server reaches the page: 2xx `confirmed`; any other status `rejected` (Workbox
 *   queues only requests whose fetch failed, so an HTTP error answer is the app's to handle);
 * - the fetch failed: the request is in the queue, "will be sent later" — no answer yet. When the
 *   queue's replay gets a 2xx for it the page says `confirmed`. A replay that gets an error answer is
 *   dropped by Workbox (it counts any response as replayed), and nobody is told: it stays without
 *   an answer.
 * No idempotency key: Workbox stores and replays the request as it was, and has none to add.
 *
 * While anything waits in the queue, the page asks the worker for the queue's own replay every
 * second (Chromium retries a failed sync only minutes later); the sync events the browser fires on
 * its own still happen too.
 */
import type { PlannedWrite } from '../../workload.ts';
import {
  expose,
  kind,
  open,
  paced,
  principal,
  receiptOf,
  record,
  resultOf,
  settled,
  sleep,
} from './page-harness.ts';

const registration = await navigator.serviceWorker.register(`/${kind}.sw.js`, { type: 'module', scope: '/' });
await navigator.serviceWorker.ready;
if (!navigator.serviceWorker.controller)
  await new Promise<void>((resolve) =>
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
  );

interface AttemptMessage {
  type: 'attempt';
  writeId?: string;
  status?: number;
  replay: boolean;
  body?: unknown;
}
let queued = 0;
/** The page's own fetches not yet settled. */
let inflight = 0;

navigator.serviceWorker.addEventListener(
  'message',
  (event: MessageEvent<AttemptMessage | { type: 'queue'; size: number }>) => {
    const m = event.data;
    if (m.type === 'queue') {
      queued = m.size;
      return;
    }
    if (!m.writeId) return;
    record({
      type: 'attempt',
      at: Date.now(),
      client: kind,
      writeId: m.writeId,
      ...(m.status === undefined ? { result: 'info' } : { result: resultOf(m.status), status: m.status }),
    });
    if (m.replay && m.status !== undefined && m.status < 300) {
      const receipt = receiptOf(m.body);
      record({
        type: 'verdict',
        at: Date.now(),
        client: kind,
        writeId: m.writeId,
        verdict: 'confirmed',
        ...(receipt === undefined ? {} : { receipt }),
      });
    }
  },
);

function send(w: PlannedWrite): void {
  inflight++;
  void fetch(`/api${w.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${principal}` },
    body: JSON.stringify(w.body),
  })
    .then(
      async (response) => {
        const body: unknown = await response.json().catch(() => undefined);
        const receipt = receiptOf(body);
        record({
          type: 'verdict',
          at: Date.now(),
          client: kind,
          writeId: w.writeId,
          verdict: response.ok ? 'confirmed' : 'rejected',
          status: response.status,
          ...(receipt === undefined ? {} : { receipt }),
        });
      },
      () => {
        // Queued by the worker (or lost before it could queue): the app says "will be sent later".
        queued++;
      },
    )
    .finally(() => {
      inflight--;
    });
}

async function accept(w: PlannedWrite): Promise<void> {
  record({ type: 'enqueue', at: Date.now(), client: kind, writeId: w.writeId, payload: w.body });
  send(w);
}

/** The queue's own replay, asked for every second while requests wait and answers are missing. */
async function nudge(until: number): Promise<void> {
  while (Date.now() < until && open.size > 0) {
    registration.active?.postMessage(queued > 0 ? 'replay' : 'size');
    await sleep(1_000);
    // Nothing waits in the queue and nothing is on the wire: what is still open never gets an answer.
    if (queued === 0 && inflight === 0) return;
  }
}

expose({
  run: (writes, spreadMs) => paced(writes, spreadMs, accept),
  drain: async (timeoutMs) => {
    const until = Date.now() + timeoutMs;
    await Promise.race([settled(timeoutMs), nudge(until)]);
  },
});
void (async () => {
  // During the workload too: a browser that is online fires the sync soon after a failure.
  for (;;) {
    await sleep(1_000);
    if (queued > 0) registration.active?.postMessage('replay');
  }
})();
