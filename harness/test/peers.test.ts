/**
 * Peer client kinds for real, at a small size: the real reference app behind the real Toxiproxy, ky
 * with its retry on POST in Node and @tanstack/offline-transactions in real Chromium, on a server
 * that applies every write and then answers 500 until the workload window ends (then it heals). A
 * visitor's writes go one after another, so the first write of each client always meets the fault.
 * What a person would see: a key made per attempt turns that retry into a second copy; one key per
 * write (ky's careful version, TanStack's own key) lands it once, confirmed on the replayed answer.
 * Also the errors a person meets when a kind cannot run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientVerdict, check } from '../src/checker/check.ts';
import type { Op } from '../src/checker/history.ts';
import { SharedChromium } from '../src/clients/browser/chromium.ts';
import { checkClientKinds, parseClientKinds, registerClientKind } from '../src/clients/kinds.ts';
import { museumWorkload } from '../src/clients/workload.ts';
import { runClientsInProcess } from '../src/scenarios/run-scenario.ts';
import { openStage } from '../src/scenarios/Stage.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { runCli } from './support/cli.ts';

const KINDS = ['ky-retry-key-per-attempt', 'ky-retry-key-per-write', 'offline-transactions'];
const WRITES = 5;

let toxiproxy: ToxiproxyServer;
let workDir: string;
const chromium = new SharedChromium();
let verdicts: ClientVerdict[];

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  workDir = mkdtempSync(join(tmpdir(), 'landed-peers-test-'));
  const stage = await openStage({ toxiproxy, workDir });
  try {
    // Set before the first write is sent, so that write meets it whatever the machine's speed.
    await stage.server?.setFault({ kind: '500-after-commit', rate: 1 });
    const history: Op[] = [];
    await runClientsInProcess({
      plans: new Map(KINDS.map((kind) => [`${kind}:0`, { writes: museumWorkload(kind, 0, WRITES) }])),
      steps: [],
      faultWindowMs: 1_000,
      size: { windowMs: 1_000, drainMs: 30_000 },
      stage,
      record: (op) => history.push(op),
      chromium,
    });
    verdicts = check(history, await stage.readLedger());
  } finally {
    await stage.close();
  }
}, 120_000);

afterAll(async () => {
  await chromium.close();
  await toxiproxy?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const of = (kind: string) => {
  const v = verdicts.find((x) => x.client === kind);
  if (!v) throw new Error(`no verdict for ${kind}`);
  return v;
};

describe('peer client kinds on a server that applies, then answers 500', () => {
  it('ky with a key per attempt: the retried write is applied again', () => {
    const v = of('ky-retry-key-per-attempt');
    expect(v.writes).toBe(WRITES);
    expect(v.duplicated).toBeGreaterThanOrEqual(1);
    expect(v.examples.duplicated).toContain('ky-retry-key-per-attempt:0:0');
    // …and the app was told it landed, once.
    expect(v.confirmed).toBe(WRITES);
  });

  it('ky with a key per write: each write once, confirmed on the replayed answer', () => {
    const v = of('ky-retry-key-per-write');
    expect({ duplicated: v.duplicated, lost: v.lost, unresolved: v.unresolved }).toEqual({
      duplicated: 0,
      lost: 0,
      unresolved: 0,
    });
    expect(v.confirmed).toBe(WRITES);
    expect(v.recovered).toBeGreaterThanOrEqual(1);
  });

  it('@tanstack/offline-transactions in Chromium: its key makes the retry a replay', () => {
    const v = of('offline-transactions');
    expect({ duplicated: v.duplicated, lost: v.lost, unresolved: v.unresolved }).toEqual({
      duplicated: 0,
      lost: 0,
      unresolved: 0,
    });
    expect(v.confirmed).toBe(WRITES);
    expect(v.recovered).toBeGreaterThanOrEqual(1);
  });
});

describe('client kinds a run cannot use', () => {
  it('an unknown kind names the kinds there are', () => {
    expect(() => parseClientKinds('landed,nope')).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_CLIENT_KIND',
        message: expect.stringContaining('offline-transactions'),
      }),
    );
    expect(parseClientKinds('all')).toEqual(expect.arrayContaining(['landed', 'naive', ...KINDS]));
    expect(parseClientKinds(undefined)).toEqual(['landed', 'naive']);
  });

  it('a peer whose package is missing says what to install', async () => {
    registerClientKind({
      name: 'not-installed',
      label: 'a peer that is not installed',
      browser: false,
      packages: ['@landed/no-such-peer-package'],
      create: () => Promise.reject(new Error('never created')),
    });
    await expect(checkClientKinds(['not-installed'], new SharedChromium())).rejects.toThrow(
      expect.objectContaining({
        code: 'PEER_NOT_INSTALLED',
        message: expect.stringContaining('npm install @landed/no-such-peer-package'),
      }),
    );
  });

  it('a Chromium that cannot start says how to get one', async () => {
    const before = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(workDir, 'no-chromium-here');
    try {
      await expect(checkClientKinds(['offline-transactions'], new SharedChromium())).rejects.toThrow(
        expect.objectContaining({
          code: 'CHROMIUM_NOT_STARTED',
          message: expect.stringContaining('CHROMIUM_PATH'),
        }),
      );
    } finally {
      if (before === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = before;
    }
  });

  it.each([
    [['--client-kinds', 'landed,bogus'], {}, 'UNKNOWN_CLIENT_KIND'],
    [
      ['--client-kinds', 'landed,redux-offline'],
      { CHROMIUM_PATH: '/nonexistent/chromium' },
      'CHROMIUM_NOT_STARTED',
    ],
  ] as const)(
    'landed-chaos run %j: one line naming what to do, exit 2, before anything runs',
    async (args, env, code) => {
      const r = await runCli(['run', ...args, '--html', 'none'], { ...env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^landed-chaos: ${code}: `)),
      ]);
    },
  );
});
