/**
 * The page a `landed-browser` client runs: Landed's browser build as an app ships it
 * (`createBrowserClient`: localforage outbox in IndexedDB, Web Locks leadership, BroadcastChannel
 * between tabs), writing to its own origin under `/api`, which the harness forwards to the proxy.
 * Configured by the `c` query parameter (JSON, see `PageConfig`), so a reload starts the same client.
 * It tells the harness every attempt and final answer through the `landedOp` binding, and offers the
 * harness `window.landed` to write and to read the outbox after a (re)load.
 */
import { type Entry, isLandedError } from '@landed/client';
import { createBrowserClient } from '@landed/client/browser';

export interface PageConfig {
  /** Names the outbox (IndexedDB database, Web Lock, channel): every tab of one client shares it. */
  name: string;
  principal: string;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  retryBudget: { capacity: number; refillPerSec: number };
}

/** What the page posts to the harness (the harness adds the client kind). */
export type PageOp =
  | {
      type: 'attempt';
      at: number;
      writeId: string;
      result: 'ok' | 'fail' | 'info';
      status?: number;
      replayed?: boolean;
    }
  | {
      type: 'verdict';
      at: number;
      writeId: string;
      verdict: 'confirmed' | 'rejected' | 'expired';
      status?: number;
      replayed?: boolean;
      body?: unknown;
    };

/** An entry of the outbox as the harness reads it back after a (re)load. */
export interface FoundEntry {
  writeId: string;
  key: string;
  createdAt: number;
  body: string | undefined;
  verdict?: Extract<PageOp, { type: 'verdict' }>;
}

export interface PageWrite {
  writeId: string;
  path: string;
  body: unknown;
  lane: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
}

type Binding = (op: PageOp) => Promise<void>;
const post = (op: PageOp) => {
  const binding = (globalThis as unknown as { landedOp?: Binding }).landedOp;
  void binding?.(op).catch(() => {});
};

const config = JSON.parse(new URLSearchParams(location.search).get('c') ?? '{}') as PageConfig;
const client = createBrowserClient({
  name: config.name,
  baseUrl: location.origin,
  principal: config.principal,
  headers: () => ({ authorization: `Bearer ${config.principal}` }),
  timeoutMs: config.timeoutMs,
  backoffBaseMs: config.backoffBaseMs,
  backoffCapMs: config.backoffCapMs,
  retryBudget: config.retryBudget,
});

function verdictOf(entry: Entry): Extract<PageOp, { type: 'verdict' }> | undefined {
  const o = entry.outcome;
  if (!entry.label || !o) return undefined;
  return {
    type: 'verdict',
    at: o.at,
    writeId: entry.label,
    verdict: o.state,
    ...(o.status === undefined ? {} : { status: o.status }),
    ...(o.replayed ? { replayed: true } : {}),
    ...(o.body === undefined ? {} : { body: o.body }),
  };
}

client.on('attempt', ({ entry, record: r }) => {
  if (r.type !== 'attempt' || r.kind === 'lookup' || !entry.label) return;
  post({
    type: 'attempt',
    at: r.at,
    writeId: entry.label,
    result: r.result,
    ...(r.status === undefined ? {} : { status: r.status }),
    ...(r.replayed ? { replayed: true } : {}),
  });
});
// Every tab hears of every final answer (its own, or one the sending tab wrote to the store).
for (const event of ['confirmed', 'rejected', 'expired'] as const)
  client.on(event, (entry) => {
    const op = verdictOf(entry);
    if (op) post(op);
  });

const api = {
  async write(w: PageWrite): Promise<{ key: string } | { error: string }> {
    try {
      const handle = await client.write({
        method: w.method ?? 'POST',
        url: `/api${w.path}`,
        body: w.body,
        lane: w.lane,
        label: w.writeId,
      });
      return { key: handle.key };
    } catch (error) {
      return { error: isLandedError(error) ? `${error.code}: ${error.message}` : String(error) };
    }
  },
  /** Every labelled entry once the store has loaded (with the final answer of those that have one). */
  async outbox(): Promise<FoundEntry[]> {
    // drain() waits for the store to load first; with no time left it returns (or throws) at once.
    await client.drain({ timeoutMs: 0 }).catch(() => {});
    return client.list().flatMap((entry) => {
      if (!entry.label) return [];
      const verdict = verdictOf(entry);
      return [
        {
          writeId: entry.label,
          key: entry.key,
          createdAt: entry.createdAt,
          body: entry.body,
          ...(verdict ? { verdict } : {}),
        },
      ];
    });
  },
  leader: () => client.summary().leader,
};
(globalThis as unknown as { landed: typeof api }).landed = api;
document.title = 'ready';
