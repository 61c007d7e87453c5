// Replay after damage: a torn last line (crash mid-write) is dropped and cut off; a damaged line in the
// middle is quarantined — set aside in quarantine.jsonl, listed by load() once — and everything else
// loads. The property test cuts the journal at random byte offsets, as a crash would, and checks the
// reloaded outbox against a model of every commit that completed before the cut.
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Entry, LogRecord } from '@landed/client';
import { fileStore, JOURNAL_FILE, QUARANTINE_FILE } from '@landed/client/node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { storedEntry } from './support/entries.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'landed-file-recovery-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry = storedEntry;

async function journalWith(dir: string, ids: string[]): Promise<string[]> {
  const store = fileStore({ dir, fsync: 'none' });
  for (const id of ids)
    await store.commit({
      put: [entry(id)],
      log: [{ type: 'transition', at: 1, entryId: id, from: null, to: 'queued' }],
    });
  await store.close();
  return readFileSync(join(dir, JOURNAL_FILE), 'utf8').split('\n');
}

describe('fileStore recovery', () => {
  it('drops a torn last line, cuts it off, and appends cleanly after it', async () => {
    const dir = tempDir();
    const lines = await journalWith(dir, ['a', 'b', 'c']);
    const goodSize = statSync(join(dir, JOURNAL_FILE)).size;
    const next = `${lines[1]}`.replace('"a"', '"d"');
    appendFileSync(join(dir, JOURNAL_FILE), next.slice(0, next.length - 7)); // a crash mid-write
    const store = fileStore({ dir });
    const { entries, quarantined } = await store.load();
    expect(entries.map((e) => e.id).sort()).toEqual(['a', 'b', 'c']);
    expect(quarantined).toEqual([]);
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(goodSize);
    await store.commit({ put: [entry('e')] });
    await store.close();
    const again = fileStore({ dir });
    expect((await again.load()).entries.map((e) => e.id).sort()).toEqual(['a', 'b', 'c', 'e']);
    await again.close();
  });

  it('drops a tail of zeros (a file extended but never written before a power cut)', async () => {
    const dir = tempDir();
    await journalWith(dir, ['a', 'b']);
    appendFileSync(join(dir, JOURNAL_FILE), Buffer.alloc(10_000));
    const store = fileStore({ dir });
    const { entries, quarantined } = await store.load();
    expect(entries.map((e) => e.id).sort()).toEqual(['a', 'b']);
    expect(quarantined).toEqual([]);
    await store.close();
  });

  /**
   * A durable store writes zeros ahead of its last line (so a commit's sync flushes data only). Commits
   * until the zeros are there, then some more into them; returns the store, still open.
   */
  async function storeWithZerosAhead(
    dir: string,
  ): Promise<{ store: ReturnType<typeof fileStore>; ids: string[] }> {
    const path = join(dir, JOURNAL_FILE);
    const store = fileStore({ dir });
    await store.load();
    const ids: string[] = [];
    const commit = async (id: string) => {
      await store.commit({
        put: [entry(id)],
        log: [{ type: 'transition', at: 1, entryId: id, from: null, to: 'queued' }],
      });
      ids.push(id);
    };
    // The zero-fill runs in the background after a commit. The bound only stops a store that never
    // writes them: a loaded disk may take seconds over the first extent.
    for (const deadline = Date.now() + 45_000; statSync(path).size <= store.stats.bytes; ) {
      if (Date.now() > deadline) throw new Error('no zeros were written ahead of the journal');
      await commit(`z${ids.length}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let i = 0; i < 20; i++) await commit(`z${ids.length}`);
    return { store, ids };
  }

  it('a durable store keeps zeros ahead of its lines while open and cuts them at close; what a kill leaves reopens whole, nothing reported', async () => {
    const dir = tempDir();
    const path = join(dir, JOURNAL_FILE);
    const { store, ids } = await storeWithZerosAhead(dir);
    const lines = store.stats.bytes;
    const onDisk = readFileSync(path);
    expect(onDisk.length).toBeGreaterThan(lines);
    expect(onDisk.subarray(lines).every((byte) => byte === 0)).toBe(true);

    // The file as it is now is what a SIGKILL would leave.
    const killed = tempDir();
    writeFileSync(join(killed, JOURNAL_FILE), onDisk);
    const reopened = fileStore({ dir: killed });
    const { entries, quarantined } = await reopened.load();
    expect(quarantined).toEqual([]);
    expect(existsSync(join(killed, QUARANTINE_FILE))).toBe(false);
    expect(entries.map((e) => e.id).sort()).toEqual([...ids].sort());
    await reopened.commit({ put: [entry('after-kill')] });
    await reopened.close();
    expect(statSync(join(killed, JOURNAL_FILE)).size).toBe(reopened.stats.bytes);
    const again = fileStore({ dir: killed });
    expect((await again.load()).entries).toHaveLength(ids.length + 1);
    await again.close();

    await store.close();
    expect(statSync(path).size).toBe(lines);
  });

  it('a write torn inside the zeros ahead is set aside as the torn tail, without the zeros', async () => {
    const dir = tempDir();
    const { store, ids } = await storeWithZerosAhead(dir);
    const onDisk = readFileSync(join(dir, JOURNAL_FILE));
    const torn = Buffer.from('0badc0de {"put":[{"id":"half-writ');
    torn.copy(onDisk, store.stats.bytes);
    await store.close();
    const killed = tempDir();
    writeFileSync(join(killed, JOURNAL_FILE), onDisk);
    const reopened = fileStore({ dir: killed });
    const { entries, quarantined } = await reopened.load();
    expect(entries.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(quarantined).toEqual([]); // a torn tail is a commit that never resolved: set aside, not reported
    const kept = readFileSync(join(killed, QUARANTINE_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { location: string; raw: string });
    expect(kept).toHaveLength(1);
    expect(kept[0]?.location).toBe(`${JOURNAL_FILE}:tail`);
    expect(Buffer.from(kept[0]?.raw ?? '', 'base64')).toEqual(torn);
    await reopened.close();
  });

  it('quarantines damaged lines in the middle, loads every healthy entry, and reports them once', async () => {
    const dir = tempDir();
    const lines = await journalWith(dir, ['a', 'b', 'c', 'd', 'e']);
    // lines[0] is the header; lines[3] holds entry c: flip one digit of its payload.
    lines[3] = (lines[3] as string).replace('"attempts":0', '"attempts":9');
    const payload = '{"put":[{"noid":1}]}';
    const shapeless = `${crc32(payload).toString(16).padStart(8, '0')} ${payload}`;
    lines.splice(5, 0, 'hello, I am not a journal line', shapeless);
    writeFileSync(join(dir, JOURNAL_FILE), lines.join('\n'));

    const store = fileStore({ dir });
    const { entries, quarantined } = await store.load();
    expect(entries.map((e) => e.id).sort()).toEqual(['a', 'b', 'd', 'e']);
    expect(quarantined.map((q) => q.location)).toEqual([
      `${JOURNAL_FILE}:4`,
      `${JOURNAL_FILE}:6`,
      `${JOURNAL_FILE}:7`,
    ]);
    expect(quarantined[0]?.reason).toMatch(/checksum mismatch/);
    expect(quarantined[0]?.excerpt).toContain('"attempts":9');
    expect(quarantined[1]?.reason).toMatch(/not a journal record/);
    expect(quarantined[1]?.excerpt).toBe('hello, I am not a journal line');
    // A healthy entry keeps working: it can be updated.
    await store.commit({ put: [entry('d', { state: 'sending' })] });
    await store.close();

    const kept = readFileSync(join(dir, QUARANTINE_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(kept).toHaveLength(3);
    expect(Buffer.from(kept[1].raw, 'base64').toString()).toBe('hello, I am not a journal line\n');
    expect(kept[0]).toMatchObject({
      location: `${JOURNAL_FILE}:4`,
      reason: expect.stringMatching(/checksum/),
    });

    const again = fileStore({ dir });
    const reloaded = await again.load();
    expect(reloaded.quarantined).toEqual([]);
    expect(reloaded.entries.map((e) => `${e.id}:${e.state}`).sort()).toEqual([
      'a:queued',
      'b:queued',
      'd:sending',
      'e:queued',
    ]);
    await again.close();
    expect(readFileSync(join(dir, QUARANTINE_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('a damaged snapshot line sets aside only the entries it holds (at most 16); the rest load and keep working', async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 40 }, (_, i) => `e${String(i).padStart(2, '0')}`);
    const writer = fileStore({ dir, fsync: 'none' });
    for (const id of ids) await writer.commit({ put: [entry(id)] });
    await writer.compact();
    await writer.close();
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').split('\n');
    // Header, then 40 entries in lines of 16, 16 and 8.
    expect(lines.slice(1, 4).map((l) => (l.match(/"id":/g) ?? []).length)).toEqual([16, 16, 8]);
    lines[2] = (lines[2] as string).replace('"e20"', '"e2O"');
    writeFileSync(join(dir, JOURNAL_FILE), lines.join('\n'));

    const store = fileStore({ dir });
    const { entries, quarantined } = await store.load();
    expect(entries.map((e) => e.id).sort()).toEqual([...ids.slice(0, 16), ...ids.slice(32)]);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatchObject({
      location: `${JOURNAL_FILE}:3`,
      reason: expect.stringMatching(/checksum/),
    });
    await store.commit({ put: [entry('e39', { state: 'sending' })] });
    await store.close();
    // The quarantine file holds the damaged line whole: all 16 entries, for a person to restore.
    const kept = readFileSync(join(dir, QUARANTINE_FILE), 'utf8').trim().split('\n');
    expect(kept).toHaveLength(1);
    const raw = Buffer.from(JSON.parse(kept[0] as string).raw, 'base64').toString();
    expect(raw.match(/"id":/g)).toHaveLength(16);
    const again = fileStore({ dir });
    const reloaded = await again.load();
    expect(reloaded.entries.find((e) => e.id === 'e39')?.state).toBe('sending');
    expect(reloaded.entries).toHaveLength(24);
    await again.close();
  });

  it('compacts at open a journal that is mostly superseded changes, and leaves a fresh snapshot alone', async () => {
    const dir = tempDir();
    const writer = fileStore({ dir, fsync: 'none', compactAfterBytes: 4096 });
    // 200 updates of 10 entries: 20 times more changes than live entries.
    for (let round = 0; round < 20; round++)
      for (let i = 0; i < 10; i++) await writer.commit({ put: [entry(`e${i}`, { attempts: round })] });
    await writer.close();
    // Put the superseded lines back, as a journal written before its last compaction would hold them.
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    const updates = Array.from({ length: 200 }, (_, n) => {
      const payload = JSON.stringify({ put: [entry(`e${n % 10}`, { attempts: 100 + n })] });
      return `${(crc32(payload) >>> 0).toString(16).padStart(8, '0')} ${payload}\n`;
    }).join('');
    writeFileSync(join(dir, JOURNAL_FILE), lines + updates);
    const grown = statSync(join(dir, JOURNAL_FILE)).size;

    const store = fileStore({ dir, compactAfterBytes: 4096 });
    const { entries } = await store.load();
    expect(entries.map((e) => e.attempts).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 290 + i),
    );
    expect(store.stats.compactions).toBe(1);
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeLessThan(grown / 5);
    await store.close();
    const reopened = fileStore({ dir, compactAfterBytes: 1 });
    await reopened.load();
    expect(reopened.stats.compactions).toBe(0);
    await reopened.close();
  });

  it('survives a journal that is nothing but garbage', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, JOURNAL_FILE), 'garbage\n{"put":[]}\n\n\u0000\u0001\nmore garbage\n');
    const store = fileStore({ dir });
    const { entries, quarantined } = await store.load();
    expect(entries).toEqual([]);
    // Nothing good follows the garbage, so it reads as a torn tail: set aside, not reported.
    expect(quarantined).toEqual([]);
    expect(existsSync(join(dir, QUARANTINE_FILE))).toBe(true);
    await store.commit({ put: [entry('a')] });
    await store.close();
    const again = fileStore({ dir });
    expect((await again.load()).entries.map((e) => e.id)).toEqual(['a']);
    await again.close();
  });

  it('property: after random commits, reopens, compactions and cuts at random byte offsets, the outbox equals the model of every commit completed before the cut', async () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const numRuns = Number(process.env.FC_NUM_RUNS ?? 40);
    console.log(`file-store cut property: FC_SEED=${seed} FC_NUM_RUNS=${numRuns}`);
    const MAX_LOG = 3;
    const ids = ['a', 'b', 'c', 'd', 'é🙂'];
    const commitArb = fc.record({
      kind: fc.constant('commit' as const),
      put: fc.array(
        fc.record({
          id: fc.constantFrom(...ids),
          attempts: fc.nat(9),
          label: fc.string({ unit: 'binary', maxLength: 12 }),
        }),
        { maxLength: 3 },
      ),
      remove: fc.array(fc.constantFrom(...ids), { maxLength: 2 }),
      log: fc.array(fc.constantFrom(...ids), { maxLength: 3 }),
    });
    const opArb = fc.oneof(
      { weight: 8, arbitrary: commitArb },
      { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('cut' as const),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
      },
    );

    interface Model {
      entries: Map<string, Entry>;
      log: LogRecord[];
    }
    const clone = (m: Model): Model => ({ entries: new Map(m.entries), log: [...m.log] });
    const expectEqual = async (store: ReturnType<typeof fileStore>, model: Model) => {
      const { entries } = await store.load();
      expect(entries.sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual(
        [...model.entries.values()].sort((x, y) => (x.id < y.id ? -1 : 1)),
      );
      expect(await store.readLog()).toEqual(model.log);
    };

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'landed-file-prop-'));
        const path = join(dir, JOURNAL_FILE);
        const options = { dir, fsync: 'none' as const, maxLogRecordsPerEntry: MAX_LOG, lock: false };
        try {
          let store = fileStore(options);
          await store.load();
          let model: Model = { entries: new Map(), log: [] };
          // The outbox as of the journal's base (its last rewrite or reopen), below which no cut falls.
          let modelAtBase = clone(model);
          // Journal size after each completed commit, since the journal was last rewritten.
          let base = statSync(path).size;
          let history: Array<{ end: number; model: Model }> = [];
          let at = 0;
          for (const op of ops) {
            if (op.kind === 'commit') {
              at++;
              const put = op.put.map((p) =>
                entry(p.id, { attempts: p.attempts, label: p.label, updatedAt: at }),
              );
              const log: LogRecord[] = op.log.map((id) => ({
                type: 'transition',
                at,
                entryId: id,
                from: null,
                to: 'sending',
              }));
              await store.commit({ put, remove: op.remove, log });
              for (const e of put) model.entries.set(e.id, e);
              for (const id of op.remove) {
                model.entries.delete(id);
                model.log = model.log.filter((r) => r.entryId !== id);
              }
              for (const r of log) {
                model.log.push(r);
                const mine = model.log.filter((x) => x.entryId === r.entryId);
                if (mine.length > MAX_LOG) model.log.splice(model.log.indexOf(mine[0] as LogRecord), 1);
              }
              history.push({ end: store.stats.bytes, model: clone(model) });
            } else if (op.kind === 'compact') {
              await store.compact();
              base = store.stats.bytes;
              history = [];
              modelAtBase = clone(model);
            } else {
              await store.close();
              if (op.kind === 'cut') {
                // A crash loses at most what was written after the last completed sync: cut there.
                const size = statSync(path).size;
                const cut = base + Math.floor(op.at * (size - base));
                truncateSync(path, cut);
                const survivor = history.filter((h) => h.end <= cut).at(-1);
                model = clone(survivor ? survivor.model : modelAtBase);
              }
              store = fileStore(options);
              const { quarantined } = await store.load();
              expect(quarantined).toEqual([]);
              await expectEqual(store, model);
              base = statSync(path).size;
              history = [];
              modelAtBase = clone(model);
            }
          }
          await expectEqual(store, model);
          await store.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed, numRuns },
    );
  });
});
