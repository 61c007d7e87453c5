// The desk's page: every pairing goes through the Landed outbox (IndexedDB, one sender across tabs),
// what needs a person goes to Sentry when a DSN is given (`?dsn=…`), and <landed-console> lets a
// person see and replay every write.
import { createBrowserClient } from '@landed/client/browser';
import '@landed/console';
import { landedBeforeSend, sentryReporter } from '@landed/sentry';
import * as Sentry from '@sentry/browser';

const dsn = new URLSearchParams(location.search).get('dsn');
if (dsn) Sentry.init({ dsn, beforeSend: landedBeforeSend });

const client = createBrowserClient({
  name: 'museum-desk',
  baseUrl: location.origin,
  backoffBaseMs: 500,
  backoffCapMs: 10_000,
  // Pairings are for one visitor at a time: keep each visitor's writes in order.
  reporter: dsn
    ? sentryReporter({ client: Sentry, includeFields: ['body.ticket'] })
    : { report: (event) => console.warn('needs a person:', event) },
});

document.querySelector('landed-console')!.client = client;
const summary = document.querySelector<HTMLElement>('#summary')!;
const show = () => {
  summary.textContent = client.summary().text;
};
client.on('transition', show);
show();

document.querySelector<HTMLFormElement>('#pair')!.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const ticket = String(form.get('ticket'));
  const pen = String(form.get('pen'));
  try {
    // Resolves once the pairing is safely in IndexedDB: the desk carries on, the outbox does the rest.
    await client.post(
      '/api/pairings',
      { ticket, pen },
      { label: `pair ${pen} with ${ticket}`, lane: ticket },
    );
  } catch (error) {
    summary.textContent = `Could not keep this pairing: ${(error as Error).message}`;
  }
});

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-fault], [data-outage]')) {
  button.addEventListener('click', () => {
    const query = button.dataset.fault ? `fault=${button.dataset.fault}` : `outage=${button.dataset.outage}`;
    void fetch(`/demo?${query}`, { method: 'POST' });
  });
}
