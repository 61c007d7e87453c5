// The page of the TanStack Query tests: mutations written through the outbox with the real
// @tanstack/react-query, and a query whose fetches the page counts, to see invalidation.

import type { Client } from '@landed/client';
import { LandedProvider, useOutboxSummary } from '@landed/react';
import { invalidateOnConfirmed, landedMutation, useLandedMutation } from '@landed/react/query';
import { QueryClient, QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { expose, pageClient } from './page-client.ts';

const { client } = pageClient();
const queryClient = new QueryClient({
  defaultOptions: {
    // The query reads nothing from the network (it counts its fetches): only an invalidation refetches it.
    queries: {
      networkMode: 'always',
      staleTime: Number.POSITIVE_INFINITY,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      retry: false,
    },
  },
});
// `?sync=1`: writes that land without a mutation waiting (accepted before a reload) invalidate too.
if (new URLSearchParams(location.search).get('sync'))
  invalidateOnConfirmed(client, queryClient, (entry) =>
    new URL(entry.url).pathname === '/api/orders' ? [['orders']] : undefined,
  );

let fetches = 0;
function Orders() {
  const query = useQuery({ queryKey: ['orders'], queryFn: async () => ++fetches });
  return <p data-testid="fetched">{query.data === undefined ? 'loading' : `fetched ${query.data}`}</p>;
}

function Summary() {
  return <p data-testid="summary">{useOutboxSummary().text}</p>;
}

type Shown = {
  status: string;
  data?: { state: string; status?: number | undefined } | undefined;
  error: Error | null;
};
function Status({ name, mutation }: { name: string; mutation: Shown }) {
  const error = mutation.error as (Error & { code?: string }) | null;
  return (
    <p data-testid={name}>
      {mutation.status}
      {mutation.data ? ` ${mutation.data.state} ${mutation.data.status}` : ''}
      {error ? ` ${error.code}: ${error.message}` : ''}
    </p>
  );
}

const order = (seats: number) => ({ method: 'POST' as const, url: '/api/orders', body: { seats } });

function Buy() {
  const mutation = useLandedMutation({ write: order, invalidates: [['orders']] });
  return (
    <div>
      <button type="button" onClick={() => mutation.mutate(2)}>
        Buy
      </button>
      <Status name="buy" mutation={mutation} />
    </div>
  );
}

function BuyPlain({ client }: { client: Client }) {
  const mutation = useMutation(landedMutation(client, { write: order, invalidates: [['orders']] }));
  return (
    <div>
      <button type="button" onClick={() => mutation.mutate(3)}>
        Buy with useMutation
      </button>
      <Status name="buy-plain" mutation={mutation} />
    </div>
  );
}

let setBuyers: (shown: boolean) => void = () => {};
function App() {
  const [buyers, show] = useState(true);
  setBuyers = show;
  return (
    <QueryClientProvider client={queryClient}>
      <LandedProvider client={client}>
        <Summary />
        <Orders />
        {buyers ? (
          <section>
            <Buy />
            <BuyPlain client={client} />
          </section>
        ) : (
          <p data-testid="no-buyers">gone</p>
        )}
      </LandedProvider>
    </QueryClientProvider>
  );
}

createRoot(document.getElementById('app') as HTMLElement).render(<App />);
expose({ showBuyers: (shown: boolean) => setBuyers(shown) });
