// Real processes, real SIGKILLs, a real loopback server. A child process runs a Landed client over the
// durable file store and writes as fast as it can, printing every write whose `write()` resolved (the
// moment the SDK accepted it). The parent kills it with SIGKILL at a random moment — mid-write,
// mid-fdatasync, mid-request, after the server applied a write but before the answer arrived — and
// starts the next one on the same outbox. Some answers are dropped after the server applied the write,
// so reconciliation by replay is exercised across kills too. In the end a last child drains the
// outbox, and the server must hold every accepted write exactly once.
//
// The kill schedule comes from a seed printed at the start (`LANDED_KILL_SEED=… npx vitest run
// packages/client/test/client-kill.test.ts` replays it); `LANDED_KILLS` raises the number of kills.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { runScript, type ScriptChild } from './support/child.ts';
import { prng } from './support/prng.ts';
import { type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';

const SRC = join(import.meta.dirname, '..', 'src');
const CLIENT_ENTRY = pathToFileURL(join(SRC, 'index.ts')).href;
const NODE_ENTRY = pathToFileURL(join(SRC, 'node.ts')).href;
const KILLS = Number(process.env.LANDED_KILLS ?? 24);
const SEED = Number(process.env.LANDED_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const LANES = 4;

const CHILD = `
import { createClient } from '${CLIENT_ENTRY}';
import { fileStore } from '${NODE_ENTRY}';
const [dir, baseUrl, gen, mode] = process.argv.slice(2);
const client = createClient({
  store: fileStore({ dir }),
  baseUrl,
  backoffBaseMs: 5,
  backoffCapMs: 40,
  timeoutMs: 2_000,
  retryBudget: { capacity: 1_000, refillPerSec: 1_000 },
});
if (mode === 'drain') {
  await client.drain({ timeoutMs: 60_000 });
  const s = client.summary();
  process.stdout.write('drained ' + JSON.stringify({ confirmed: s.confirmed, rejected: s.rejected, expired: s.expired, waiting: s.waiting, uncertain: s.uncertain }) + '\\n');
  await client.close();
  process.exit(0);
}
process.stdout.write('started\\n');
async function writer(lane) {
  for (let i = 0; ; i++) {
    const tag = gen + '.' + lane + '.' + i;
    const handle = await client.post('/tickets', { tag }, { lane: 'l' + lane });
    // In the pipe before the next write starts, so a kill cannot lose the report of an accepted write.
    await new Promise((resolve) => process.stdout.write('accepted ' + tag + ' ' + handle.key + '\\n', resolve));
  }
}
for (let lane = 0; lane < ${LANES}; lane++) writer(lane);
`;

const root = mkdtempSync(join(tmpdir(), 'landed-client-kill-'));
const children = new Set<ChildProcess>();
let server: ProtocolServer | undefined;
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

function start(args: string[]): ScriptChild {
  const run = runScript(join(root, 'child.mjs'), CHILD, args);
  children.add(run.child);
  void run.exited.then(() => children.delete(run.child));
  return run;
}

test(`a client killed with SIGKILL ${KILLS} times loses no accepted write and applies none twice (seed ${SEED})`, async () => {
  console.log(`client-kill: LANDED_KILL_SEED=${SEED} LANDED_KILLS=${KILLS}`);
  const random = prng(SEED);
  server = await startProtocolServer();
  // One answer in six is lost after the server applied the write: the client cannot know it landed.
  server.script = () => (random() < 1 / 6 ? { kind: 'apply-then-reset' } : { kind: 'protocol' });
  const dir = join(root, 'outbox');

  const accepted = new Map<string, string>(); // tag → key
  let killedMidFlight = 0;
  let waitedFor = 0;
  for (let gen = 0; gen < KILLS; gen++) {
    const run = start([dir, server.url, String(gen), 'write']);
    await run.firstLine;
    const appliedBefore = server.applied.length;
    // Each generation does real work before its kill, counted in accepted writes rather than in
    // milliseconds (a loaded machine may accept none in a fixed time); past that the kill comes at a
    // random moment, so it lands mid-write, mid-sync or mid-request.
    const atLeast = 2 + Math.floor(random() * 2);
    waitedFor += atLeast;
    await run.until((lines) => lines.filter((l) => l.startsWith('accepted ')).length >= atLeast);
    await new Promise((resolve) => setTimeout(resolve, 30 + random() * 300));
    run.child.kill('SIGKILL');
    await run.exited;
    if (server.applied.length > appliedBefore) killedMidFlight++;
    for (const line of run.lines) {
      const [word, tag, key] = line.split(' ');
      if (word === 'accepted' && tag && key) accepted.set(tag, key);
    }
  }

  server.script = () => ({ kind: 'protocol' });
  const last = start([dir, server.url, 'final', 'drain']);
  await last.firstLine.catch(() => {});
  expect(await last.exited).toBe(0);
  const drained = JSON.parse(
    last.lines.find((l) => l.startsWith('drained '))?.slice('drained '.length) ?? '{}',
  );

  const appliedByTag = new Map<string, number>();
  const appliedKeys = new Map<string, number>();
  for (const { key, body } of server.applied) {
    const { tag } = JSON.parse(body) as { tag: string };
    appliedByTag.set(tag, (appliedByTag.get(tag) ?? 0) + 1);
    appliedKeys.set(key, (appliedKeys.get(key) ?? 0) + 1);
  }
  const lost = [...accepted.keys()].filter((tag) => !appliedByTag.has(tag));
  const duplicated = [...appliedByTag].filter(([, n]) => n > 1).map(([tag]) => tag);
  const wrongKey = [...accepted].filter(([tag, key]) => appliedByTag.has(tag) && !appliedKeys.has(key));
  console.log(
    `client-kill: ${KILLS} kills, ${accepted.size} accepted, ${server.applied.length} applied, ` +
      `${killedMidFlight} kills while writes were landing, drained ${JSON.stringify(drained)}`,
  );

  expect(accepted.size).toBeGreaterThan(KILLS); // the children did real work between kills
  expect(accepted.size).toBeGreaterThanOrEqual(waitedFor);
  expect(lost).toEqual([]);
  expect(duplicated).toEqual([]);
  expect(wrongKey).toEqual([]);
  expect([...appliedKeys.values()].every((n) => n === 1)).toBe(true);
  // A write can land without its "accepted" line (killed between the fdatasync and the print), never
  // the other way round; and nothing is left for a person: everything confirmed.
  expect(drained).toMatchObject({ rejected: 0, expired: 0, waiting: 0, uncertain: 0 });
  expect(drained.confirmed).toBe(server.applied.length);
}, 180_000);
