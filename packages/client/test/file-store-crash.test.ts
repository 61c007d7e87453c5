// Real processes, real SIGKILLs. A child commits in a loop and reports every commit that resolved;
// it is killed at a random moment, and the outbox reopened by another process must hold every one of
// those commits (and nothing the child never wrote). Run once with plain appends and once with
// compaction every few kilobytes, so kills land in the middle of compactions. The lock is tested
// against live and killed holders in other processes.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileStore, LOCK_FILE } from '@landed/client/node';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript, type ScriptChild } from './support/child.ts';

const NODE_ENTRY = pathToFileURL(join(import.meta.dirname, '..', 'src', 'node.ts')).href;

const dirs: string[] = [];
const children = new Set<ChildProcess>();
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'landed-file-crash-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const WORKERS = 8;

/** Commits of worker `w`: per id, put v1, put v2, then remove (even ids) or put v3 (odd ids). */
const CHILD_WRITER = `
import { fileStore } from '${NODE_ENTRY}';
const [dir, gen, compactAfterBytes] = process.argv.slice(2);
const store = fileStore({ dir, compactAfterBytes: Number(compactAfterBytes) });
const { entries } = await store.load();
process.stdout.write('loaded ' + entries.length + '\\n');
const pad = 'x'.repeat(300);
let compactions = 0;
async function worker(w) {
  for (let s = 0; ; s++) {
    const n = Math.floor(s / 3);
    const op = s % 3;
    const id = gen + '-' + w + '-' + n;
    const change = op === 2 && n % 2 === 0
      ? { remove: [id] }
      : { put: [{ id, key: 'k-' + id, method: 'POST', url: 'https://api.example/t', body: pad, lane: 'w' + w, seq: s, state: 'queued', attempts: op + 1, createdAt: 1, updatedAt: 1 }],
          log: [{ type: 'transition', at: s, entryId: id, from: null, to: 'queued' }] };
    await store.commit(change);
    // Reported before the next commit starts: a line still in this process's buffer at the kill would
    // leave the parent thinking a commit was in flight while a later one had already landed.
    await new Promise((resolve) => process.stdout.write('ok ' + w + ' ' + s + '\\n', resolve));
    if (store.stats.compactions !== compactions) {
      compactions = store.stats.compactions;
      process.stdout.write('compacted\\n');
    }
  }
}
for (let w = 0; w < ${WORKERS}; w++) worker(w);
`;

/** Version (attempts) of each id after the first `count` commits of worker `w`; 0 = absent. */
function versionsAfter(gen: number, w: number, count: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let s = 0; s < count; s++) {
    const n = Math.floor(s / 3);
    const op = s % 3;
    out.set(`${gen}-${w}-${n}`, op === 2 && n % 2 === 0 ? 0 : op + 1);
  }
  return out;
}

function startChild(dir: string, script: string, args: string[]): ScriptChild {
  const run = runScript(join(dir, '..', `${Math.random().toString(36).slice(2)}-child.mjs`), script, args);
  children.add(run.child);
  return run;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  children.delete(child);
}

/** Commits each generation resolves at least before it is killed (15 generations: over 100). */
const COMMITS_PER_GENERATION = 8;

async function killLoop(compactAfterBytes: number, generations: number, compactionsWanted = 0) {
  const dir = join(tempDir(), 'outbox');
  const expected = new Map<string, number>(); // id → version, 0 = absent
  let resolvedTotal = 0;
  let compactionsSeen = 0;
  for (let gen = 0; gen < generations; gen++) {
    const { child, lines, firstLine, until } = startChild(dir, CHILD_WRITER, [
      dir,
      String(gen),
      String(compactAfterBytes),
    ]);
    expect(await firstLine).toBe(`loaded ${[...expected.values()].filter((v) => v > 0).length}`);
    // Progress, not time, decides when a kill may come: a loaded machine commits less in a given
    // time, and the totals checked below must not depend on that. Until the run has seen the
    // compactions it wants, each generation also compacts (twice, or as often as still missing) first.
    // Past that the moment of the kill is random.
    const compactionsHere = Math.min(2, Math.max(0, compactionsWanted - compactionsSeen));
    await until(
      (printed) =>
        printed.filter((l) => l.startsWith('ok ')).length >= COMMITS_PER_GENERATION &&
        printed.filter((l) => l === 'compacted').length >= compactionsHere,
    );
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 350));
    await killHard(child);

    const resolved = new Array<number>(WORKERS).fill(0);
    for (const line of lines) {
      const [word, w, s] = line.split(' ');
      if (word === 'ok') resolved[Number(w)] = Math.max(resolved[Number(w)] as number, Number(s) + 1);
      if (word === 'compacted') compactionsSeen++;
    }
    resolvedTotal += resolved.reduce((a, b) => a + b, 0);

    // The child's lock is stale now: this process takes it over.
    const store = fileStore({ dir, compactAfterBytes });
    const { entries, quarantined } = await store.load();
    expect(quarantined).toEqual([]);
    const actual = new Map(entries.map((e) => [e.id, e.attempts]));
    for (let w = 0; w < WORKERS; w++) {
      const done = versionsAfter(gen, w, resolved[w] as number);
      const next = versionsAfter(gen, w, (resolved[w] as number) + 1); // the one commit that may have been in flight
      for (const [id, version] of next) {
        const got = actual.get(id) ?? 0;
        const allowed = [done.get(id) ?? 0, version];
        expect(allowed, `${id}: every resolved commit must survive the kill`).toContain(got);
        expected.set(id, got);
      }
    }
    for (const [id, version] of expected) {
      expect(actual.get(id) ?? 0, `${id} after generation ${gen}`).toBe(version);
      if (version > 0) expect(await store.readLog(id)).toHaveLength(version);
    }
    expect(entries.every((e) => expected.has(e.id))).toBe(true);
    await store.close();
  }
  return { resolvedTotal, compactionsSeen };
}

describe('fileStore under SIGKILL', () => {
  it('keeps every commit that resolved across 15 kills of a committing child', async () => {
    const { resolvedTotal } = await killLoop(8 * 1024 * 1024, 15);
    expect(resolvedTotal).toBeGreaterThan(100);
  });

  it('keeps everything when kills land during repeated compactions', async () => {
    const { resolvedTotal, compactionsSeen } = await killLoop(8 * 1024, 15, 16);
    expect(resolvedTotal).toBeGreaterThan(100);
    expect(compactionsSeen).toBeGreaterThan(15);
  });
});

const CHILD_HOLDER = `
import { fileStore } from '${NODE_ENTRY}';
const store = fileStore({ dir: process.argv[2] });
try {
  await store.load();
  process.stdout.write('holding ' + process.pid + '\\n');
  setInterval(() => {}, 1000);
} catch (error) {
  process.stdout.write('refused ' + error.code + ' ' + error.message + '\\n');
  process.exit(0);
}
`;

describe('fileStore lock across processes', () => {
  it('refuses a second live opener with OUTBOX_LOCKED naming the holder, and takes over from a SIGKILLed one', async () => {
    const dir = tempDir();
    const { child, firstLine } = startChild(dir, CHILD_HOLDER, [dir]);
    expect(await firstLine).toBe(`holding ${child.pid}`);

    const second = fileStore({ dir });
    await expect(second.load()).rejects.toMatchObject({
      code: 'OUTBOX_LOCKED',
      message: expect.stringContaining(`process ${child.pid}`),
    });

    await killHard(child);
    await expect(second.load()).resolves.toMatchObject({ entries: [] });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await second.close();
  });

  it('a child opening an outbox this process holds gets OUTBOX_LOCKED with our pid', async () => {
    const dir = tempDir();
    const store = fileStore({ dir });
    await store.load();
    const { firstLine } = startChild(dir, CHILD_HOLDER, [dir]);
    const line = await firstLine;
    expect(line).toMatch(/^refused OUTBOX_LOCKED /);
    expect(line).toContain(`process ${process.pid}`);
    await store.close();
  });
});
