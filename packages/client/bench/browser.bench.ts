// browser.accept-throughput.localforage: durable accepts per second in Chromium — `write()` resolving
// once IndexedDB completed the transaction — against raw IndexedDB puts of the same record, one
// transaction each, in the same page and interleaved rounds of the same run.
// browser.accept-throughput.localforage-strict: the same with `localforageStore({ durability: 'strict' })`
// against raw puts in strict transactions (the browser flushes each to the disk), in the same rounds;
// its notes give what strict costs against the default (strict accepts ÷ relaxed accepts).
// Chromium runs on a profile directory of its own, so IndexedDB is on the disk as for a visitor (a
// fresh browser context is incognito: its IndexedDB lives in memory, where strict costs nothing).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startAppServer } from '../test/browser/support/app-server.ts';
import { emit, skipped } from './bench-kit.ts';

const ID = 'browser.accept-throughput.localforage';
const ROUNDS = 7;
const PER_ROUND = 300;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

if (!skipped(ID)) {
  const server = await startAppServer({
    bench: new URL('../test/browser/pages/bench.ts', import.meta.url).pathname,
  });
  const profile = mkdtempSync(join(tmpdir(), 'landed-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/bench`);
    await page.waitForFunction(() => document.title === 'ready');
    const result = await page.evaluate(
      ([perRound, rounds]) =>
        (
          globalThis as unknown as {
            runBench(
              p: number,
              r: number,
            ): Promise<{
              ours: number[];
              baseline: number[];
              strict: number[];
              strictBaseline: number[];
              accepted: number;
              acceptedStrict: number;
            }>;
          }
        ).runBench(perRound, rounds),
      [PER_ROUND, ROUNDS] as const,
    );
    for (const accepted of [result.accepted, result.acceptedStrict])
      if (accepted !== 100 + PER_ROUND * ROUNDS) throw new Error(`the client accepted ${accepted} writes`);
    const ours = median(result.ours);
    const baseline = median(result.baseline);
    emit({
      id: ID,
      ours: Math.round(ours),
      baseline: Math.round(baseline),
      ratio: Number((ours / baseline).toFixed(3)),
      unit: 'accepts/s',
      target: '>= 0.7',
      notes: {
        rounds: ROUNDS,
        perRound: PER_ROUND,
        chromium: context.browser()?.version() ?? 'persistent profile',
        profile: 'on disk',
      },
    });
    const strict = median(result.strict);
    const strictBaseline = median(result.strictBaseline);
    emit({
      id: `${ID}-strict`,
      ours: Math.round(strict),
      baseline: Math.round(strictBaseline),
      ratio: Number((strict / strictBaseline).toFixed(3)),
      unit: 'accepts/s',
      target: '>= 0.7',
      notes: {
        rounds: ROUNDS,
        perRound: PER_ROUND,
        // What `durability: 'strict'` costs: strict accepts ÷ default accepts, and the same for raw puts.
        strict_vs_relaxed: Number((strict / ours).toFixed(3)),
        raw_strict_vs_relaxed: Number((strictBaseline / baseline).toFixed(3)),
      },
    });
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
