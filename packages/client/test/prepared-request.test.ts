// A new write's first request is built while its commit is written (with the platform's fetch), and
// must leave only once the commit is done: never before, never when the commit fails, never after
// close(). These run against a real loopback server through the real fetch; a spy on the global
// `fetch` (which the client calls as the request leaves) tells when it left.
import { type Client, createClient, type LandedError, memoryStore, type StoreChange } from '@landed/client';
import { afterEach, describe, expect, test } from 'vitest';
import { type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';
import { withCommit } from './support/stores.ts';

let server: ProtocolServer;
let client: Client | undefined;
const platformFetch = globalThis.fetch;
let left: string[] = [];

afterEach(async () => {
  globalThis.fetch = platformFetch;
  await client?.close();
  client = undefined;
  await server?.close();
});

function spyOnFetch(): void {
  left = [];
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    left.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return platformFetch(input, init);
  }) as typeof fetch;
}

/** A memory store whose entry commits wait until the test lets them go (or fails them). */
function gatedStore() {
  const inner = memoryStore();
  const held: Array<{ change: StoreChange; go: () => void; fail: (error: Error) => void }> = [];
  let arrived: () => void = () => {};
  const store = withCommit(inner, (change, options) => {
    if (!change.put?.some((e) => e.state === 'sending' && e.attempts === 1))
      return inner.commit(change, options);
    return new Promise<void>((resolve, reject) => {
      held.push({
        change,
        go: () => inner.commit(change, options).then(resolve, reject),
        fail: reject,
      });
      arrived();
    });
  });
  const nextHeld = () =>
    held.length > 0
      ? Promise.resolve(held.shift() as (typeof held)[number])
      : new Promise<(typeof held)[number]>((resolve) => {
          arrived = () => resolve(held.shift() as (typeof held)[number]);
        });
  return { store, nextHeld };
}

/** Lets every pending timer, I/O callback and microtask of this turn run (ky's preparation included). */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A client on a gated store and a real server; one write made, its commit held, ky given time to work. */
async function writeWithHeldCommit() {
  server = await startProtocolServer();
  spyOnFetch();
  const { store, nextHeld } = gatedStore();
  const opened = createClient({ store, baseUrl: server.url });
  client = opened;
  const writing = opened.post('/tickets', { n: 1 });
  writing.catch(() => {});
  const commit = await nextHeld();
  await turns(20);
  return { client: opened, writing, commit };
}

describe('the first request, built while its commit is written', () => {
  test('leaves only once the commit is done, and lands once', async () => {
    const { writing, commit } = await writeWithHeldCommit();
    expect(left).toEqual([]);
    expect(server.requests).toHaveLength(0);
    commit.go();
    const handle = await writing;
    expect((await handle.outcome).state).toBe('confirmed');
    expect(left).toEqual([`${server.url}/tickets`]);
    expect(server.applied).toHaveLength(1);
  });

  test('a failed commit: write() says STORE_WRITE_FAILED and no request ever leaves', async () => {
    const { client, writing, commit } = await writeWithHeldCommit();
    commit.fail(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' }));
    const error = (await writing.catch((e: unknown) => e)) as LandedError;
    expect(error.code).toBe('STORE_WRITE_FAILED');
    await turns(20);
    expect(left).toEqual([]);
    expect(server.requests).toHaveLength(0);
    expect(client.list()).toEqual([]);
  });

  test('close() while the commit is written: the request never leaves', async () => {
    const { client, writing, commit } = await writeWithHeldCommit();
    const closing = client.close();
    commit.go();
    await closing;
    await writing.catch(() => {});
    await turns(20);
    expect(left).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
