// browser.accept-throughput.localforage: durable accepts per second in Chromium — `write()` resolving
// once IndexedDB completed the transaction — against raw IndexedDB puts of the same record, one
// transaction each, in the same page and interleaved rounds of the same run.

import { startAppServer } from '../test/browser/support/app-server.ts';
import { launchChromium } from '../test/browser/support/chromium.ts';
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
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/bench`);
    await page.waitForFunction(() => document.title === 'ready');
    const result = await page.evaluate(
      ([perRound, rounds]) =>
        (
          globalThis as unknown as {
            runBench(p: number, r: number): Promise<{ ours: number[]; baseline: number[]; accepted: number }>;
          }
        ).runBench(perRound, rounds),
      [PER_ROUND, ROUNDS] as const,
    );
    if (result.accepted !== 100 + PER_ROUND * ROUNDS)
      throw new Error(`the client accepted ${result.accepted} writes`);
    const ours = median(result.ours);
    const baseline = median(result.baseline);
    emit({
      id: ID,
      ours: Math.round(ours),
      baseline: Math.round(baseline),
      ratio: Number((ours / baseline).toFixed(3)),
      unit: 'accepts/s',
      target: '>= 0.7',
      notes: { rounds: ROUNDS, perRound: PER_ROUND, chromium: browser.version() },
    });
  } finally {
    await browser.close();
    await server.close();
  }
}
