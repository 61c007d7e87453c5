/**
 * server.replay.sqlite: requests per second of replays (a key already completed: the stored response,
 * no handler, no write) against first executions (claim, business insert and record in one commit),
 * through the node:http adapter on SQLite. Same process, same run, alternating phases.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emit, percentile, skipped } from '../../client/bench/bench-kit.ts';
import { withIdempotency } from '../src/adapter/node-http/index.ts';
import { sqliteStore } from '../src/store/sqlite/index.ts';
import { type LoadResult, listen, runLoad } from './load.ts';

const CONCURRENCY = 16;
const PHASE_MS = 2500;
const ROUNDS = 4;

if (!skipped('server.replay.sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const store = sqliteStore({ path: join(dir, 'app.db') });
  store.database.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, key TEXT, item TEXT)');
  const insert = store.database.prepare('INSERT INTO orders (key, item) VALUES (?, ?) RETURNING id');
  const server = await listen(
    withIdempotency({ store, scope: () => 'bench', reapIntervalMs: 0 }, ({ key, body }) => {
      const row = insert.get(key ?? null, (body as { item: string }).item) as { id: number };
      return {
        status: 201,
        headers: { location: `/orders/${row.id}` },
        body: { id: row.id, item: (body as { item: string }).item },
      };
    }),
  );
  const done: string[] = [];
  const post = (key: string) =>
    fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
      body: JSON.stringify({ item: `pen-${key.slice(0, 8)}` }),
    });
  const first = () =>
    runLoad(
      () => {
        const key = randomUUID();
        done.push(key);
        return post(key);
      },
      {
        concurrency: CONCURRENCY,
        durationMs: PHASE_MS,
        expect: (r) => r.status === 201 && !r.headers.has('idempotent-replayed'),
      },
    );
  const replay = () =>
    runLoad((i) => post(done[i % done.length] as string), {
      concurrency: CONCURRENCY,
      durationMs: PHASE_MS,
      expect: (r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true',
    });
  await first(); // warm-up, and keys to replay
  const firsts: LoadResult[] = [];
  const replays: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    firsts.push(await first());
    replays.push(await replay());
  }
  const rps = (rs: LoadResult[]) => rs.reduce((sum, r) => sum + r.rps, 0) / rs.length;
  const ours = rps(replays);
  const baseline = rps(firsts);
  emit({
    id: 'server.replay.sqlite',
    ours: Math.round(ours),
    baseline: Math.round(baseline),
    ratio: ours / baseline,
    unit: 'req/s',
    target: '>= 1',
    notes: {
      p50_ms_replay: +percentile(
        replays.flatMap((r) => r.latencies),
        50,
      ).toFixed(2),
      p50_ms_first: +percentile(
        firsts.flatMap((r) => r.latencies),
        50,
      ).toFixed(2),
      wrong_answers: [...firsts, ...replays].reduce((sum, r) => sum + r.failed, 0),
      concurrency: CONCURRENCY,
    },
  });
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
