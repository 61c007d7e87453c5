/**
 * A module worker: the Hono adapter over the memory store, with nothing from Node, as an app on
 * Cloudflare Workers, Deno or Bun would run it. Bundled for the browser and run in Chromium by
 * runtime-neutral.test.ts; it posts back what each request was answered.
 */
import { memoryStore } from '@landed/server';
import { idempotencyContext, idempotencyMiddleware } from '@landed/server/hono';
import { Hono } from 'hono';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function scenario() {
  const store = memoryStore();
  const effects: string[] = [];
  const app = new Hono();
  const idempotency = idempotencyMiddleware({ store, scope: () => 'desk-3' });
  app.use(idempotency);
  app.post('/orders', async (c) => {
    const { tx, body, key } = idempotencyContext<{ onCommit(apply: () => void): void }>(c);
    tx.onCommit(() => void effects.push(String(key)));
    return c.json({ order: effects.length + 1, item: (body as { item: string }).item }, 201);
  });
  const ask = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await app.fetch(new Request(`https://orders.example${path}`, init));
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };
  const order = (key: string, item: string) =>
    ask('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
      body: JSON.stringify({ item }),
    });
  const first = await order('k-1', 'pen');
  const second = await order('k-1', 'pen');
  const reused = await order('k-1', 'notebook');
  const lookup = await ask('/idempotency/k-1');
  const missing = await ask('/orders', { method: 'POST', body: '{}' });
  idempotency.idempotency.close();
  return {
    globals: { process: typeof process, Buffer: typeof Buffer, window: typeof window },
    first,
    second,
    reused,
    lookup,
    missing,
    effects,
    fingerprint: [...store.records.values()][0]?.fingerprint,
  };
}

scenario().then(
  (result) => postMessage({ ok: true, result }),
  (error: unknown) => postMessage({ ok: false, error: String((error as Error)?.stack ?? error) }),
);
