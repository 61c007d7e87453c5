// The file store's everyday contract: what is committed comes back after a reopen, concurrent commits
// share one fdatasync, logs are bounded and survive restarts and compaction, and compaction loses
// nothing — including a commit that arrives while it runs.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, LogRecord } from '@landed/client';
import { fileStore, JOURNAL_FILE, LOCK_FILE } from '@landed/client/node';
import { afterEach, describe, expect, it } from 'vitest';
import { storedEntry } from './support/entries.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'landed-file-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry = (id: string, patch: Partial<Entry> = {}) =>
  storedEntry(id, { url: 'https://api.example/tickets', body: '{"visitor":"v-1"}', ...patch });
function transition(entryId: string, to: Entry['state'], at = 1): LogRecord {
  return { type: 'transition', at, entryId, from: null, to };
}

describe('fileStore', () => {
  it('keeps what was learned of each server across a reopen and a compaction (the last word per origin)', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.load();
    await store.commit({ servers: [{ origin: 'https://api.example', retentionSec: 60, heardAt: 1 }] });
    await store.commit({ put: [entry('a')], log: [transition('a', 'queued')] });
    await store.commit({ servers: [{ origin: 'https://api.example', retentionSec: 2, heardAt: 2 }] });
    await store.close();
    const reopened = fileStore({ dir });
    expect((await reopened.load()).servers).toEqual([
      { origin: 'https://api.example', retentionSec: 2, heardAt: 2 },
    ]);
    await reopened.compact();
    await reopened.close();
    const compacted = fileStore({ dir });
    const loaded = await compacted.load();
    expect(loaded.servers).toEqual([{ origin: 'https://api.example', retentionSec: 2, heardAt: 2 }]);
    expect(loaded.entries.map((e) => e.id)).toEqual(['a']);
    await compacted.close();
  });

  it('gives back after a reopen exactly what was committed: puts, updates, removes and logs', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    expect((await store.load()).entries).toEqual([]);
    await store.commit({
      put: [entry('a'), entry('b')],
      log: [transition('a', 'queued'), transition('b', 'queued')],
    });
    await store.commit({
      put: [entry('a', { state: 'sending', attempts: 1, updatedAt: 2 })],
      log: [transition('a', 'sending', 2)],
    });
    await store.commit({ remove: ['b'] });
    await store.commit({
      put: [
        entry('c', {
          outcome: { state: 'confirmed', status: 201, body: { id: 7, tags: ['x'] }, at: 3 },
          state: 'confirmed',
        }),
      ],
    });
    expect(await store.getEntry('a')).toMatchObject({ state: 'sending', attempts: 1 });
    await store.close();

    const again = fileStore({ dir });
    const { entries, quarantined } = await again.load();
    expect(quarantined).toEqual([]);
    expect(entries.map((e) => e.id).sort()).toEqual(['a', 'c']);
    expect(await again.getEntry('a')).toEqual(entry('a', { state: 'sending', attempts: 1, updatedAt: 2 }));
    expect((await again.getEntry('c'))?.outcome?.body).toEqual({ id: 7, tags: ['x'] });
    expect(await again.getEntry('b')).toBeUndefined();
    expect((await again.readLog('a')).map((r) => (r as { to: string }).to)).toEqual(['queued', 'sending']);
    // A removed entry's log goes with it.
    expect(await again.readLog('b')).toEqual([]);
    await again.close();
  });

  it('hands out copies or read-only entries: mutating what it returned or what was committed changes nothing stored', async () => {
    const store = fileStore({ dir: tempDir(), fsync: 'none' });
    const e = entry('a');
    await store.commit({ put: [e] });
    e.state = 'confirmed';
    const loaded = await store.getEntry('a');
    expect(loaded?.state).toBe('queued');
    if (loaded) loaded.state = 'rejected';
    expect((await store.getEntry('a'))?.state).toBe('queued');
    // load() hands out read-only entries (no copy of 100,000 entries at start-up): they cannot be changed.
    const [first] = (await store.load()).entries;
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as Entry).state = 'rejected';
    }).toThrow(TypeError);
    expect((await store.getEntry('a'))?.state).toBe('queued');
    await store.close();
  });

  it('group commit: 64 concurrent commits cost one or two fdatasyncs, not 64', async () => {
    const store = fileStore({ dir: tempDir() });
    await store.load();
    await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        store.commit({ put: [entry(`e${i}`)], log: [transition(`e${i}`, 'queued')] }),
      ),
    );
    expect(store.stats.commits).toBe(64);
    expect(store.stats.syncs).toBeGreaterThanOrEqual(1);
    expect(store.stats.syncs).toBeLessThanOrEqual(2);
    expect((await store.load()).entries).toHaveLength(64);
    await store.close();
  });

  it('a relaxed commit (durable: false) is written without an fdatasync of its own and rides with the next durable one', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.commit({ put: [entry('a')] });
    const before = { ...store.stats };
    // An outcome (relaxed) and the app's next write (durable) in the same turn: one write, one sync.
    const relaxed = store.commit(
      { put: [entry('a', { state: 'confirmed', updatedAt: 2 })] },
      { durable: false },
    );
    const durable = store.commit({ put: [entry('b')] });
    await Promise.all([relaxed, durable]);
    expect(store.stats.writes - before.writes).toBe(1);
    expect(store.stats.syncs - before.syncs).toBe(1);
    // Alone, a relaxed commit is still written (a process kill cannot lose it), but not synced.
    await store.commit({ remove: ['b'] }, { durable: false });
    expect(store.stats.writes - before.writes).toBe(2);
    expect(store.stats.syncs - before.syncs).toBe(1);
    const journal = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    expect(journal).toContain('"remove":["b"]');
    await store.close();
    const reopened = fileStore({ dir });
    const { entries } = await reopened.load();
    expect(entries.map((e) => [e.id, e.state])).toEqual([['a', 'confirmed']]);
    await reopened.close();
  });

  it('a relaxed commit that cannot be written as JSON is refused alone; the commits around it land', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.commit({ put: [entry('a')] });
    // Encoded only when its group is written: the refusal comes then, as STORE_WRITE_FAILED.
    const bad = store.commit(
      { put: [entry('a', { state: 'confirmed', updatedAt: 2, label: 1n as unknown as string })] },
      { durable: false },
    );
    const next = store.commit({ put: [entry('b')] });
    await expect(bad).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await next;
    expect(store.stats.failedCommits).toBe(1);
    expect((await store.getEntry('a'))?.state).toBe('queued');
    await store.close();
    const reopened = fileStore({ dir });
    const { entries } = await reopened.load();
    expect(entries.map((e) => [e.id, e.state])).toEqual([
      ['a', 'queued'],
      ['b', 'queued'],
    ]);
    await reopened.close();
  });

  it('sequential commits each get their own fdatasync (a commit never resolves before its sync)', async () => {
    const store = fileStore({ dir: tempDir() });
    for (let i = 0; i < 5; i++) await store.commit({ put: [entry(`e${i}`)] });
    expect(store.stats.syncs).toBe(5);
    await store.close();
  });

  it('keeps at most maxLogRecordsPerEntry log records per entry, oldest dropped, across restarts and compaction', async () => {
    const dir = tempDir();
    const store = fileStore({ dir, maxLogRecordsPerEntry: 5, fsync: 'none' });
    for (let i = 0; i < 12; i++)
      await store.commit({
        log: [transition('a', 'sending', i), ...(i % 3 === 0 ? [transition('b', 'queued', i)] : [])],
      });
    const expectA = [7, 8, 9, 10, 11];
    expect((await store.readLog('a')).map((r) => r.at)).toEqual(expectA);
    const all = (await store.readLog()).map((r) => `${r.entryId}${r.at}`);
    expect(all).toEqual(['b0', 'b3', 'b6', 'a7', 'a8', 'a9', 'b9', 'a10', 'a11']);
    await store.close();

    const reopened = fileStore({ dir, maxLogRecordsPerEntry: 5, fsync: 'none' });
    expect((await reopened.readLog('a')).map((r) => r.at)).toEqual(expectA);
    await reopened.compact();
    await reopened.close();
    const compacted = fileStore({ dir, maxLogRecordsPerEntry: 5, fsync: 'none' });
    expect((await compacted.readLog()).map((r) => `${r.entryId}${r.at}`)).toEqual(all);
    await compacted.close();
  });

  it('log lines read lazily after a restart give the same logs: removals after them still take their records away', async () => {
    const dir = tempDir();
    const store = fileStore({ dir, fsync: 'none' });
    for (const id of ['a', 'b', 'c'])
      await store.commit({
        put: [entry(id)],
        log: [transition(id, 'queued', 1), transition(id, 'sending', 2)],
      });
    await store.compact(); // the snapshot's log lines are log-only: read lazily on the next start
    await store.commit({ put: [entry('a', { state: 'confirmed' })], log: [transition('a', 'confirmed', 3)] });
    await store.commit({ remove: ['b'] });
    await store.commit({ log: [transition('c', 'uncertain', 4)] }); // a log-only commit, also lazy
    const before = await store.readLog();
    await store.close();
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toMatch(/^[0-9a-f]{8} \{"log":\[/m);

    const again = fileStore({ dir, fsync: 'none' });
    expect((await again.load()).entries.map((e) => e.id).sort()).toEqual(['a', 'c']);
    await again.commit({ remove: ['c'] }); // a removal while the lines are still unread
    expect((await again.readLog()).map((r) => `${r.entryId}${r.at}`)).toEqual(['a1', 'a2', 'a3']);
    expect(before.map((r) => `${r.entryId}${r.at}`)).toEqual(['a1', 'a2', 'c1', 'c2', 'a3', 'c4']);
    await again.compact();
    await again.close();
    const compacted = fileStore({ dir, fsync: 'none' });
    expect((await compacted.readLog('a')).map((r) => r.at)).toEqual([1, 2, 3]);
    expect(await compacted.readLog('c')).toEqual([]);
    await compacted.close();
  });

  it('compacts on its own past compactAfterBytes and keeps every live entry and its log', async () => {
    const dir = tempDir();
    const store = fileStore({ dir, compactAfterBytes: 16 * 1024 });
    await store.load();
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.commit({
            put: [entry(`e${i}`, { attempts: round, updatedAt: round })],
            log: [transition(`e${i}`, 'sending', round)],
          }),
        ),
      );
    }
    expect(store.stats.compactions).toBeGreaterThan(0);
    // The journal's lines (the file also holds zeros ahead of them while it is open; close cuts them).
    const grown = store.stats.bytes;
    await store.close();
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(grown);
    const again = fileStore({ dir, compactAfterBytes: 16 * 1024 });
    await again.compact();
    // Superseded lines do not pile up: the journal stays within twice a fresh snapshot (plus one threshold).
    expect(grown).toBeLessThan(2 * again.stats.bytes + 16 * 1024);
    const { entries } = await again.load();
    expect(entries).toHaveLength(20);
    for (const e of entries) expect(e.attempts).toBe(39);
    expect(await again.readLog('e3')).toHaveLength(40);
    await again.close();
  });

  it('does not lose commits that arrive while a compaction runs', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.load();
    for (let i = 0; i < 500; i++) await store.commit({ put: [entry(`old${i}`)] }).catch(() => {});
    const compaction = store.compact();
    const during = Array.from({ length: 50 }, (_, i) => store.commit({ put: [entry(`new${i}`)] }));
    await Promise.all([compaction, ...during]);
    expect(store.stats.compactions).toBe(1);
    await store.close();
    const again = fileStore({ dir });
    const ids = new Set((await again.load()).entries.map((e) => e.id));
    expect(ids.size).toBe(550);
    for (let i = 0; i < 50; i++) expect(ids.has(`new${i}`)).toBe(true);
    await again.close();
  });

  it('ignores a snapshot left half-written by a crash during compaction (the journal beside it is complete)', async () => {
    const dir = tempDir();
    const store = fileStore({ dir, fsync: 'none' });
    await store.commit({ put: [entry('a')] });
    await store.close();
    writeFileSync(join(dir, `${JOURNAL_FILE}.tmp`), '00000000 {"v":1}\n00000000 {"put":[{"id":"ghost"');
    const again = fileStore({ dir, fsync: 'none' });
    const { entries, quarantined } = await again.load();
    expect(entries.map((e) => e.id)).toEqual(['a']);
    expect(quarantined).toEqual([]);
    expect(existsSync(join(dir, `${JOURNAL_FILE}.tmp`))).toBe(false);
    await again.close();
  });

  it('takes the lock file at open and releases it on close; a second opener in the same process is refused', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.load();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    const second = fileStore({ dir });
    await expect(second.load()).rejects.toMatchObject({
      code: 'OUTBOX_LOCKED',
      message: expect.stringContaining(`process ${process.pid}`),
    });
    await store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // The refused opener may try again once the outbox is free.
    await expect(second.load()).resolves.toMatchObject({ entries: [] });
    await second.close();
  });

  it('takes over a lock file left empty by a crash between create and write', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(join(dir, LOCK_FILE), old, old);
    const store = fileStore({ dir });
    await expect(store.load()).resolves.toMatchObject({ entries: [] });
    await store.close();
  });

  it('refuses bad options with INVALID_OPTIONS and writes after close with STORE_UNAVAILABLE', async () => {
    expect(() => fileStore({ dir: '' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => fileStore({ dir: tempDir(), compactAfterBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => fileStore({ dir: tempDir(), fsync: 'fsync' as 'none' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    const store = fileStore({ dir: tempDir() });
    await store.load();
    await store.close();
    await expect(store.commit({ put: [entry('a')] })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('reports a directory that cannot be created as STORE_UNAVAILABLE', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'x');
    const store = fileStore({ dir: join(dir, 'a-file', 'outbox') });
    await expect(store.load()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('a-file'),
    });
    await expect(store.commit({ put: [entry('a')] })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
