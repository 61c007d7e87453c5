// client.confirm-latency.{memory,file}: p50 time from write() to `confirmed` on loopback, against a
// plain `ky.post` of the same body to the same server, measured in interleaved rounds of one run;
// client.confirm-latency.file-vs-floor: the file store's p50 against that request plus the disk's
// cheapest durable write of an entry, sampled in the same rounds.
import {
  closeSync,
  constants,
  fdatasync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  write,
  writeFileSync,
} from 'node:fs';
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
 * The least a durable outbox adds before the request may leave ("persisted before the first attempt"),
 * measured on the disk of `dir` with an entry-sized line, two ways: an append + fdatasync, and what the
 * file store does — an O_DSYNC write over zeros written ahead of the end (data only, one call). Taken in
 * the same rounds as the writes, so the disk's mood hits both alike.
 */
class DurableWriteProbe {
  readonly append: number[] = [];
  readonly overwrite: number[] = [];
  readonly #line = Buffer.from(`${JSON.stringify({ put: [{ body, key: crypto.randomUUID() }] })}\n`);
  readonly #appendFd: number;
  readonly #dsyncFd: number;
  #n = 0;

  constructor(dir: string, samples: number) {
    this.#appendFd = openSync(join(dir, 'sync-probe-append.jsonl'), 'a');
    const zeroed = join(dir, 'sync-probe-zeroed.jsonl');
    writeFileSync(zeroed, Buffer.alloc(this.#line.length * samples + 4096));
    const syncFd = openSync(zeroed, 'r+');
    fdatasyncSync(syncFd);
    closeSync(syncFd);
    this.#dsyncFd = openSync(zeroed, constants.O_WRONLY | constants.O_DSYNC);
  }

  async sample(): Promise<void> {
    const line = this.#line;
    const writeAt = (fd: number, position: number | null) =>
      new Promise<void>((resolve, reject) =>
        write(fd, line, 0, line.length, position, (error) => (error ? reject(error) : resolve())),
      );
    const t0 = performance.now();
    await writeAt(this.#appendFd, null);
    await new Promise<void>((resolve, reject) =>
      fdatasync(this.#appendFd, (e) => (e ? reject(e) : resolve())),
    );
    const t1 = performance.now();
    await writeAt(this.#dsyncFd, this.#n++ * line.length);
    this.append.push(t1 - t0);
    this.overwrite.push(performance.now() - t1);
  }

  close(): void {
    closeSync(this.#appendFd);
    closeSync(this.#dsyncFd);
  }
}

async function measure(
  id: string,
  target: string | undefined,
  makeStore: () => Promise<{ store: OutboxStore; cleanup: () => void; dir?: string }>,
) {
  if (skipped(id) && skipped(`${id}-vs-floor`)) return;
  const server = await startBenchServer();
  const { store, cleanup, dir } = await makeStore();
  const client = createClient({ store, baseUrl: server.url, keepConfirmedMs: 0 });
  const ours: number[] = [];
  const baseline: number[] = [];
  const probe = dir === undefined ? undefined : new DurableWriteProbe(dir, ROUNDS * PER_ROUND);
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
      await probe?.sample();
    }
  }
  await client.close();
  await server.close();
  probe?.close();
  const sync = probe && {
    append: percentile(probe.append, 50),
    overwrite: percentile(probe.overwrite, 50),
  };
  cleanup();
  const p50 = percentile(ours, 50);
  const b50 = percentile(baseline, 50);
  emit({
    id,
    ours: p50,
    baseline: b50,
    ratio: p50 / b50,
    unit: 'ms p50',
    ...(target ? { target } : {}),
    notes: {
      p99: percentile(ours, 99),
      baselineP99: percentile(baseline, 99),
      samples: ours.length,
      // With a durable store one durable write must precede the request: no client goes below
      // `floorRatio` (the cheaper of the two ways of making a line durable on this disk).
      ...(!sync
        ? {}
        : {
            appendFdatasyncP50: sync.append,
            dsyncOverwriteP50: sync.overwrite,
            floorRatio: (b50 + Math.min(sync.append, sync.overwrite)) / b50,
          }),
    },
  });
  if (sync && !skipped(`${id}-vs-floor`)) {
    // What a durable client is measured against: the plain request plus the disk's cheapest durable
    // write of an entry, both from this run.
    const floor = b50 + Math.min(sync.append, sync.overwrite);
    emit({
      id: `${id}-vs-floor`,
      ours: p50,
      baseline: floor,
      ratio: p50 / floor,
      unit: 'ms p50',
      target: '<= 1.10',
      notes: { kyPostP50: b50, durableWriteP50: Math.min(sync.append, sync.overwrite), samples: ours.length },
    });
  }
}

await measure('client.confirm-latency.memory', '<= 1.15', async () => ({
  store: memoryStore(),
  cleanup: () => {},
}));

// No target of its own: under this disk's floor (see docs/benchmarks.md); `-vs-floor` carries it.
await measure('client.confirm-latency.file', undefined, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const { fileStore } = (await import('@landed/client/node')) as typeof import('@landed/client/node');
  return { store: fileStore({ dir }), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}).catch((error: unknown) =>
  console.error(`client.confirm-latency.file not measured: ${(error as Error).message}`),
);
