// The memory store follows the store contract as the durable stores do: copies in and out, logs in
// commit order, and a removed entry's log goes with it (so a long test or simulation does not grow).
import { type LogRecord, memoryStore } from '@landed/client';
import { expect, it } from 'vitest';
import { storedEntry } from './support/entries.ts';

const entry = (id: string) => storedEntry(id);
const record = (entryId: string, at: number): LogRecord => ({
  type: 'transition',
  at,
  entryId,
  from: null,
  to: 'queued',
});

it('keeps logs in commit order, and a removed entry loses its log (records logged with the removal stay)', async () => {
  const store = memoryStore();
  await store.commit({ put: [entry('a'), entry('b')], log: [record('a', 1), record('b', 2)] });
  await store.commit({ log: [record('b', 3), record('a', 4)] });
  await store.commit({ remove: ['b'], log: [record('b', 5)] });
  expect((await store.readLog()).map((r) => `${r.entryId}${r.at}`)).toEqual(['a1', 'a4', 'b5']);
  expect((await store.readLog('b')).map((r) => r.at)).toEqual([5]);
  expect((await store.load()).entries.map((e) => e.id)).toEqual(['a']);
  // Copies out: changing what was read changes nothing stored.
  const [first] = await store.readLog('a');
  (first as { at: number }).at = 99;
  expect((await store.readLog('a')).map((r) => r.at)).toEqual([1, 4]);
});

it('a long run of written and removed entries leaves no log behind', async () => {
  const store = memoryStore();
  for (let i = 0; i < 5000; i++) {
    await store.commit({ put: [entry(`e${i}`)], log: [record(`e${i}`, i)] });
    await store.commit({ remove: [`e${i}`] });
  }
  expect(await store.readLog()).toEqual([]);
  expect(store.commits).toBe(10_000);
});
