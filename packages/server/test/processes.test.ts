/**
 * Real process deaths and several processes on one database: SIGKILL after commit and before the
 * answer, SIGKILL mid-handler, and two servers sharing one PostgreSQL receiving the same keys at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './support/app.ts';
import { openBusiness, PG_URL } from './support/business.ts';
import { startChild } from './support/child.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sqliteFile() {
  const dir = mkdtempSync(join(tmpdir(), 'landed-proc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.db');
  const count = (key: string) => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return Number(
        (db.prepare('SELECT count(*) AS n FROM orders WHERE key = ?').get(key) as { n: number }).n,
      );
    } finally {
      db.close();
    }
  };
  return { path, count };
}

describe('a server process killed after commit, before answering (SQLite)', () => {
  it('restarted, it replays the committed response to the retry and never applies twice', async () => {
    const db = sqliteFile();
    const first = await startChild({ STORE: 'sqlite', DB_PATH: db.path });
    cleanups.push(first.stop);
    const lost = await send(`${first.url}/orders`, {
      key: 'crash-1',
      body: { item: 'pen' },
      headers: { 'landed-fault': 'exit-after-commit' },
    }).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(Error);
    expect(await first.exited).toBe('SIGKILL');
    expect(db.count('crash-1')).toBe(1);

    const second = await startChild({ STORE: 'sqlite', DB_PATH: db.path });
    cleanups.push(second.stop);
    const retry = await send(`${second.url}/orders`, { key: 'crash-1', body: { item: 'pen' } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json().pid).toBe(first.process.pid);
    expect(db.count('crash-1')).toBe(1);
  });

  it('killed mid-handler: the claim rolled back with the transaction, so the retry runs at once, applied once', async () => {
    const db = sqliteFile();
    const first = await startChild({ STORE: 'sqlite', DB_PATH: db.path, GATE: 'hang' });
    cleanups.push(first.stop);
    const pending = send(`${first.url}/orders`, {
      key: 'crash-2',
      body: { item: 'pen', mode: 'gate' },
    }).catch((error: unknown) => error);
    await first.waitFor('AT-GATE');
    first.process.kill('SIGKILL');
    expect(await pending).toBeInstanceOf(Error);

    const second = await startChild({ STORE: 'sqlite', DB_PATH: db.path });
    cleanups.push(second.stop);
    expect((await send(`${second.url}/idempotency/crash-2`, { method: 'GET' })).status).toBe(404);
    const retry = await send(`${second.url}/orders`, { key: 'crash-2', body: { item: 'pen', mode: 'gate' } });
    expect(retry.status).toBe(201);
    expect(retry.json().pid).toBe(second.process.pid);
    expect(db.count('crash-2')).toBe(1);
  });
});

describe('a server process killed mid-handler (PostgreSQL)', () => {
  it('its lock goes stale after lockTimeout; then the retry runs, applied once', async () => {
    const business = await openBusiness('postgres');
    cleanups.push(() => business.close());
    // Both processes read one clock that moves only when the test moves it: the lock is stale when the
    // test says lockTimeout has passed, never because a busy machine took that long to send a request.
    const t0 = Date.now();
    const env = {
      STORE: 'postgres',
      PG_URL,
      PG_TABLE: business.location.table as string,
      PG_ORDERS: business.location.orders as string,
      LOCK_TIMEOUT_MS: '800',
      CLOCK_MS: String(t0),
    };
    const first = await startChild({ ...env, GATE: 'hang' });
    cleanups.push(first.stop);
    const pending = send(`${first.url}/orders`, {
      key: 'crash-3',
      body: { item: 'pen', mode: 'gate' },
    }).catch((error: unknown) => error);
    await first.waitFor('AT-GATE');
    first.process.kill('SIGKILL');
    expect(await pending).toBeInstanceOf(Error);

    const second = await startChild(env);
    cleanups.push(second.stop);
    const early = await send(`${second.url}/orders`, { key: 'crash-3', body: { item: 'pen', mode: 'gate' } });
    expect(early.status).toBe(409);
    expect(early.headers.get('retry-after')).toBe('1');
    expect((await send(`${second.url}/idempotency/crash-3`, { method: 'GET' })).status).toBe(409);
    // One millisecond short of lockTimeout the dead lock still holds.
    await second.setClock(t0 + 799);
    const almost = await send(`${second.url}/orders`, {
      key: 'crash-3',
      body: { item: 'pen', mode: 'gate' },
    });
    expect(almost.status).toBe(409);
    await second.setClock(t0 + 800);
    const retry = await send(`${second.url}/orders`, { key: 'crash-3', body: { item: 'pen', mode: 'gate' } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.json().pid).toBe(second.process.pid);
    const replay = await send(`${second.url}/orders`, {
      key: 'crash-3',
      body: { item: 'pen', mode: 'gate' },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await business.count('crash-3')).toBe(1);
  });
});

describe('two server processes sharing one PostgreSQL', () => {
  it('the same keys sent to both at once are applied exactly once each', async () => {
    const business = await openBusiness('postgres');
    cleanups.push(() => business.close());
    const env = {
      STORE: 'postgres',
      PG_URL,
      PG_TABLE: business.location.table as string,
      PG_ORDERS: business.location.orders as string,
      // A clock that stands still: no lock goes stale however long a request waits for a connection,
      // so every overlap is answered 409 or replayed, never taken over.
      CLOCK_MS: String(Date.now()),
    };
    const [a, b] = await Promise.all([startChild(env), startChild(env)]);
    cleanups.push(a.stop, b.stop);
    const keys = Array.from({ length: 40 }, (_, i) => `multi-${i}`);
    const answers = await Promise.all(
      keys.flatMap((key) =>
        (keys.indexOf(key) % 2 ? [b, a, b, a] : [a, b, a, b]).map((server) =>
          send(`${server.url}/orders`, { key, body: { item: key, delayMs: 20 } }),
        ),
      ),
    );
    expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    for (const key of keys) expect(await business.count(key)).toBe(1);
    expect(await business.count()).toBe(keys.length);
    // Every 201 for a key carries the same stored body, whichever process answered.
    const bodies = new Map<string, Set<string>>();
    answers.forEach((r, i) => {
      if (r.status !== 201) return;
      const key = keys[Math.floor(i / 4)] as string;
      bodies.set(key, (bodies.get(key) ?? new Set()).add(r.text));
    });
    for (const set of bodies.values()) expect(set.size).toBe(1);
    // Each key was executed by exactly one process; the other three answers were 409s or replays.
    const fresh = answers.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(keys.length);
  });
});
