// The durable file store, measured against the plain thing it replaces, in the same run:
// - client.accept-throughput.file: durable accepts/s with 64 concurrent writers, against one
//   write + fdatasync per entry (the same 64 writers appending to one file without group commit).
//   Measured through `client.write()` (autoStart: false, so no sending competes), and at the store
//   level (`commit({ put })`) in the notes.
// - client.recovery.file: time from opening a journal of 100,000 pending entries to the first
//   attempt, against reading the same file and JSON.parse-ing every line; each side in a fresh
//   process so its peak RSS can be reported.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Entry } from '@landed/client';
import { fileStore } from '@landed/client/node';
import { emit, percentile, skipped } from './bench-kit.ts';

const body = JSON.stringify({
  visitor: 'v-1842',
  pen: 'p-77',
  objects: [18383769, 18383770],
  note: 'x'.repeat(200),
});

function pendingEntry(i: number): Entry {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    key: crypto.randomUUID(),
    method: 'POST',
    url: 'http://127.0.0.1:9/tickets',
    body,
    lane: `lane-${i % 64}`,
    seq: i,
    state: 'queued',
    attempts: 0,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  };
}

async function concurrently(
  writers: number,
  total: number,
  one: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) await one(next++);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/**
 * One write + fdatasync per entry, in turn: what a journal without group commit costs (its appends
 * must not interleave, so each entry's record is written and synced before the next one's).
 */
async function baselineAcceptsPerSec(dir: string, total: number): Promise<number> {
  const fh = await open(join(dir, 'baseline.jsonl'), 'a');
  try {
    return await concurrently(1, total, async (i) => {
      await fh.write(`${JSON.stringify({ put: [pendingEntry(i)] })}\n`);
      await fh.datasync();
    });
  } finally {
    await fh.close();
  }
}

/**
 * The same, 64 writers at once on one file descriptor, each with its own write + fdatasync: the
 * kernel may merge concurrent flushes, so this shows how much of the gain the disk gives for free.
 */
async function concurrentBaselineAcceptsPerSec(dir: string, total: number): Promise<number> {
  const fh = await open(join(dir, 'baseline-concurrent.jsonl'), 'a');
  try {
    return await concurrently(64, total, async (i) => {
      await fh.write(`${JSON.stringify({ put: [pendingEntry(i)] })}\n`);
      await fh.datasync();
    });
  } finally {
    await fh.close();
  }
}

async function throughput(): Promise<void> {
  const id = 'client.accept-throughput.file';
  if (skipped(id)) return;
  const ours: number[] = [];
  const store: number[] = [];
  const base: number[] = [];
  const concurrentBase: number[] = [];
  const syncsPerCommit: number[] = [];
  for (let round = 0; round < 5; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'landed-bench-accept-'));
    try {
      base.push(await baselineAcceptsPerSec(dir, 1000));
      concurrentBase.push(await concurrentBaselineAcceptsPerSec(dir, 1000));
      const raw = fileStore({ dir: join(dir, 'store') });
      await raw.load();
      store.push(await concurrently(64, 4000, (i) => raw.commit({ put: [pendingEntry(i)] })));
      syncsPerCommit.push(raw.stats.syncs / raw.stats.commits);
      await raw.close();
      const client = createClient({
        store: fileStore({ dir: join(dir, 'client') }),
        baseUrl: 'http://127.0.0.1:9',
        autoStart: false,
      });
      ours.push(await concurrently(64, 4000, () => client.post('/tickets', body)));
      await client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (v: number[]) => percentile(v, 50);
  emit({
    id,
    ours: median(ours),
    baseline: median(base),
    ratio: median(ours) / median(base),
    unit: 'accepts/s',
    target: '>= 8',
    notes: {
      storeCommitsPerSec: median(store),
      storeRatio: median(store) / median(base),
      concurrentBaselinePerSec: median(concurrentBase),
      ratioVsConcurrentBaseline: median(ours) / median(concurrentBase),
      syncsPerCommit: median(syncsPerCommit),
      writers: 64,
      rounds: 5,
    },
  });
}

const ENTRIES = 100_000;

/** Runs one side of the recovery measurement in a fresh process: `{ ms, maxRssMiB }`. */
function inChild(mode: 'baseline' | 'store' | 'client', dir: string): { ms: number; maxRssMiB: number } {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, import.meta.filename, '--recovery', mode, dir],
    { encoding: 'utf8' },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RECOVERY '));
  if (!line) throw new Error(`recovery child (${mode}) failed: ${run.stderr}`);
  return JSON.parse(line.slice(9)) as { ms: number; maxRssMiB: number };
}

async function recoveryChild(mode: string, dir: string): Promise<void> {
  const t0 = performance.now();
  let count = 0;
  if (mode === 'baseline') {
    // A journal left by a process that did not close it ends with zeros written ahead of its lines.
    let text = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
    const end = text.indexOf('\0');
    if (end !== -1) text = text.slice(0, end);
    for (const line of text.split('\n')) {
      if (line.length > 0) {
        JSON.parse(line.slice(9));
        count++;
      }
    }
  } else if (mode === 'store') {
    const store = fileStore({ dir });
    count = (await store.load()).entries.length;
  } else {
    await new Promise<void>((resolve) => {
      const client = createClient({
        store: fileStore({ dir }),
        baseUrl: 'http://127.0.0.1:9',
        fetch: async () => {
          resolve();
          return new Promise<Response>(() => {});
        },
      });
      void client;
    });
    count = 1;
  }
  const ms = performance.now() - t0;
  process.stdout.write(
    `RECOVERY ${JSON.stringify({ ms, count, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
  process.exit(0);
}

async function recovery(): Promise<void> {
  const id = 'client.recovery.file';
  if (skipped(id)) return;
  const dir = mkdtempSync(join(tmpdir(), 'landed-bench-recovery-'));
  try {
    const store = fileStore({ dir, fsync: 'none' });
    await store.load();
    for (let i = 0; i < ENTRIES; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          store.commit({
            put: [pendingEntry(i + j)],
            log: [
              {
                type: 'transition',
                at: Date.now(),
                entryId: pendingEntry(i + j).id,
                from: null,
                to: 'queued',
              },
            ],
          }),
        ),
      );
    }
    const journalMiB = store.stats.bytes / 1024 / 1024;
    await store.close();
    const ours: number[] = [];
    const storeOnly: number[] = [];
    const base: number[] = [];
    let rss = { ours: 0, store: 0, base: 0 };
    for (let round = 0; round < 3; round++) {
      const b = inChild('baseline', dir);
      const s = inChild('store', dir);
      const c = inChild('client', dir);
      base.push(b.ms);
      storeOnly.push(s.ms);
      ours.push(c.ms);
      rss = {
        ours: Math.max(rss.ours, c.maxRssMiB),
        store: Math.max(rss.store, s.maxRssMiB),
        base: Math.max(rss.base, b.maxRssMiB),
      };
    }
    const median = (v: number[]) => percentile(v, 50);
    emit({
      id,
      ours: median(ours),
      baseline: median(base),
      ratio: median(ours) / median(base),
      unit: 'ms to first attempt',
      target: '<= 2',
      notes: {
        entries: ENTRIES,
        journalMiB,
        storeLoadMs: median(storeOnly),
        storeRatio: median(storeOnly) / median(base),
        peakRssMiB: rss.ours,
        storePeakRssMiB: rss.store,
        baselinePeakRssMiB: rss.base,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const flag = process.argv.indexOf('--recovery');
if (flag !== -1) {
  await recoveryChild(process.argv[flag + 1] as string, process.argv[flag + 2] as string);
} else {
  await throughput();
  await recovery();
}
