// The desk's page: pairings go into the outbox; its service worker sends whatever the page could not.
import { createBrowserClient } from '@landed/client/browser';
import { connectServiceWorker } from '@landed/client/sw';

const client = createBrowserClient({ name: 'museum-desk', baseUrl: location.origin });
const status = document.querySelector<HTMLElement>('#status')!;
const list = document.querySelector<HTMLElement>('#pairings')!;
const show = () => {
  status.textContent = client.summary().text;
  list.replaceChildren(
    ...client.list().map((entry) => {
      const item = document.createElement('li');
      item.textContent = `${entry.label ?? entry.id}: ${entry.state}`;
      return item;
    }),
  );
};
client.subscribe(show); // after any change, the outbox loaded from IndexedDB included
show();

// A module worker: the sender is bundled into it. Connecting checks that the worker sends from this
// page's outbox (SERVICE_WORKER_MISMATCH otherwise) and registers its Background Sync tag whenever a
// pairing waits for the network.
await navigator.serviceWorker.register('/sw.js', { type: 'module' });
const link = await connectServiceWorker(client, { name: 'museum-desk' });
document.querySelector<HTMLElement>('#worker')!.textContent = link.backgroundSync
  ? 'Pairings made offline are sent by the service worker, even after this tab is closed.'
  : 'This browser has no Background Sync: pairings made offline are sent when the desk is open again.';

document.querySelector<HTMLFormElement>('#pair')!.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const ticket = String(form.get('ticket'));
  const pen = String(form.get('pen'));
  // Resolves once the pairing is in IndexedDB: the desk can close the tab.
  await client.post('/api/pairings', { ticket, pen }, { label: `pair ${pen} with ${ticket}` });
});
document.title = 'Museum desk';
