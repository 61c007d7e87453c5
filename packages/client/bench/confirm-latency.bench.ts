// client.confirm-latency.{memory,file}: p50 time from write() to `confirmed` on loopback, against a
// plain `ky.post` of the same body to the same server, measured in interleaved rounds of one run.
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, memoryStore, type OutboxStore } from '@landed/client';
import ky from 'ky';
import { emit, percentile, skipped } from './bench-kit.ts';
import { startBenchServer } from './bench-server.ts';

const ROUNDS = 10;
const PER_ROUND = 200;
const body = { visitor: 'v-1842', pen: 'p-77', objects: [18383769, 18383770], note: 'x'.repeat(200) };

/**
 * p50 of one append + fdatasync of an entry-sized line in `dir`: the least a durable outbox adds
 * before the request may leave ("persisted before the first attempt").
 */
async function fdatasyncP50(dir: string): Promise<number> {
  const fd = openSync(join(dir, 'sync-probe.jsonl'), 'a');
  const line = Buffer.from(`${JSON.stringify({ put: [{ body, key: crypto.randomUUID() }] })}\n`);
  const append = () =>
    new Promise<void>((resolve, reject) =>
      write(fd, line, 0, line.length, null, (error) => (error ? reject(error) : resolve())),
    );
  const sync = () =>
    new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  const times: number[] = [];
  try {
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await append();
      await sync();
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  return percentile(times, 50);
}

async function measure(
  id: string,
  target: string,
  makeStore: () => Promise<{ store: OutboxStore; cleanup: () => void; dir?: string }>,
) {
  if (skipped(id)) return;
  const server = await startBenchServer();
  const { store, cleanup, dir } = await makeStore();
  const client = createClient({ store, baseUrl: server.url, keepConfirmedMs: 0 });
  const ours: number[] = [];
  const baseline: number[] = [];
  // Warm up both paths (JIT, keep-alive sockets).
  for (let i = 0; i < 100; i++) {
    await (await client.post('/tickets', body)).outcome;
    await ky.post(`${server.url}/tickets`, { json: body, retry: 0 }).text();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      const t0 = performance.now();
      await ky.post(`${server.url}/tickets`, { json: body, retry: 0 }).text();
      baseline.push(performance.now() - t0);
      const t1 = performance.now();
      const handle = await client.post('/tickets', body);
      const outcome = await handle.outcome;
      ours.push(performance.now() - t1);
      if (outcome.state !== 'confirmed') throw new Error(`bench write not confirmed: ${outcome.state}`);
    }
  }
  await client.close();
  await server.close();
  const sync = dir === undefined ? undefined : await fdatasyncP50(dir);
  cleanup();
  const p50 = percentile(ours, 50);
  const b50 = percentile(baseline, 50);
  emit({
    id,
    ours: p50,
    baseline: b50,
    ratio: p50 / b50,
    unit: 'ms p50',
    target,
    notes: {
      p99: percentile(ours, 99),
      baselineP99: percentile(baseline, 99),
      samples: ours.length,
      // With a durable store: one fdatasync must precede the request, so no client can go below this.
      ...(sync === undefined ? {} : { fdatasyncP50: sync, floorRatio: (b50 + sync) / b50 }),
    },
  });
}

await measure('client.confirm-latency.memory', '<= 1.15', async () => ({
  store: memoryStore(),
  cleanup: () => {},
}));

await measure('client.confirm-latency.file', '<= 1.35', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const { fileStore } = (await import('@landed/client/node')) as typeof import('@landed/client/node');
  return { store: fileStore({ dir }), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}).catch((error: unknown) =>
  console.error(`client.confirm-latency.file not measured: ${(error as Error).message}`),
);
