// The page of the React binding tests: a form that writes through the outbox, the summary, and each
// write's live state, rendered by React DOM in a real Chromium.

import type { Client, WriteHandle } from '@landed/client';
import { LandedProvider, useEntry, useOutboxSummary, useWrite } from '@landed/react';
import { startTransition, useLayoutEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { expose, pageClient, watched } from './page-client.ts';

const { client, listeners } = pageClient();

function Summary() {
  const summary = useOutboxSummary();
  return (
    <p data-testid="summary" data-online={String(summary.online)}>
      {summary.text}
    </p>
  );
}

function EntryRow({ id }: { id: string }) {
  const entry = useEntry(id);
  if (!entry) return <li data-id={id}>unknown</li>;
  const title = (entry.outcome?.body as { title?: string } | undefined)?.title;
  return (
    <li data-id={id} data-state={entry.state}>
      <span className="state">{entry.state}</span>
      {entry.outcome?.reason ? <span className="reason">{entry.outcome.reason}</span> : null}
      {title ? <span className="title">{title}</span> : null}
    </li>
  );
}

function OrderForm({ onWritten }: { onWritten: (handle: WriteHandle) => void }) {
  const write = useWrite();
  const [error, setError] = useState('');
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const seats = Number(new FormData(event.currentTarget).get('seats'));
        write({ method: 'POST', url: '/api/orders', body: { seats }, label: `${seats} seats` }).then(
          onWritten,
          (e: Error) => setError(e.message),
        );
      }}
    >
      <input name="seats" defaultValue="2" />
      <button type="submit">Order</button>
      {error ? <p role="alert">{error}</p> : null}
    </form>
  );
}

/** Many components reading one outbox, each slow to render: a concurrent render yields between them. */
function Reader({ slowMs }: { slowMs: number }) {
  const { text } = useOutboxSummary();
  // Layout effects run once the whole commit is in the DOM: the first reader's records what every
  // reader shows in that commit.
  useLayoutEffect(recordCommit);
  const until = performance.now() + slowMs;
  while (performance.now() < until) {
    // Rendering work: React yields to the event loop between components, so writes land mid-render.
  }
  return <span className="reader">{text}</span>;
}

const commits: string[][] = [];
let recorded = false;
function recordCommit() {
  if (recorded) return;
  recorded = true;
  commits.push([...document.querySelectorAll('.reader')].map((node) => node.textContent ?? ''));
  queueMicrotask(() => {
    recorded = false;
  });
}

const readerNames = (count: number) => Array.from({ length: count }, (_, n) => `reader-${n}`);

function Readers({ count }: { count: number }) {
  return (
    <div>
      {readerNames(count).map((name) => (
        <Reader key={name} slowMs={2} />
      ))}
    </div>
  );
}

let setShown: (shown: boolean) => void = () => {};

function App({ client }: { client: Client }) {
  const [shown, show] = useState(true);
  const [ids, setIds] = useState<string[]>(watched);
  setShown = show;
  return (
    <LandedProvider client={client}>
      {shown ? (
        <>
          <Summary />
          <OrderForm onWritten={(handle) => setIds((now) => [...now, handle.id])} />
          <ul data-testid="writes">
            {ids.map((id) => (
              <EntryRow key={id} id={id} />
            ))}
          </ul>
        </>
      ) : (
        <p>hidden</p>
      )}
    </LandedProvider>
  );
}

createRoot(document.getElementById('app') as HTMLElement).render(<App client={client} />);

expose({
  listeners,
  show: (shown: boolean) => setShown(shown),
  /**
   * Renders `count` slow readers in a transition, in a root of their own (nothing else there to
   * interrupt the render), while `writes` writes go into the outbox one after the other.
   */
  async race(count: number, writes: number) {
    commits.length = 0;
    // Nothing else on the page listens to the outbox meanwhile: its updates would restart the render.
    flushSync(() => setShown(false));
    const box = document.createElement('section');
    document.body.append(box);
    const root = createRoot(box);
    startTransition(() =>
      root.render(
        <LandedProvider client={client}>
          <Readers count={count} />
        </LandedProvider>,
      ),
    );
    for (let n = 0; n < writes; n++) await client.post('/api/orders', { race: n }, { lane: `l${n}` });
    await client.drain({ timeoutMs: 30_000 });
  },
  /** What the readers showed in each commit, each text once. */
  commits: () => commits.map((texts) => [...new Set(texts)]),
});
