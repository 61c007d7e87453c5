// peer.accept-throughput.offline-transactions: Landed's browser build accepts/s ÷ @tanstack/offline-transactions
// accepts/s — a burst of writes, each taken once the library has it in its IndexedDB outbox.
// peer.confirm-latency.offline-transactions: Landed p50 write→confirmed ÷ the peer's, writes paced 40 ms apart.
// Both in one Chromium on one on-disk profile, through the real Toxiproxy (no toxics) and reference
// app, one library after the other in the same run, each page driven the same way (BrowserPageRunner).
// Two rounds in alternating order (Landed, peer, peer, Landed); each side's best round counts, so a
// burst of load from elsewhere on the machine does not decide the ratio. The notes give each round's
// time from the burst's first write to its last confirmation (the drain), beside the accept rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emit, percentile, skipped } from '../../packages/client/bench/bench-kit.ts';
import type { Op } from '../src/checker/history.ts';
import { PageOrigin } from '../src/clients/browser/PageOrigin.ts';
import { ProfileBrowser } from '../src/clients/browser/ProfileBrowser.ts';
import { BrowserPageRunner } from '../src/clients/peers/BrowserPageRunner.ts';
import { museumWorkload } from '../src/clients/workload.ts';
import { openStage } from '../src/scenarios/Stage.ts';
import { startToxiproxy } from '../src/toxiproxy/ToxiproxyServer.ts';

const THROUGHPUT = 'peer.accept-throughput.offline-transactions';
const LATENCY = 'peer.confirm-latency.offline-transactions';
const BURST = 200;
const PACED = 50;
const GAP_MS = 40;

interface Measured {
  acceptsPerSec: number;
  /** From the burst's first write to its last confirmation. */
  burstDrainMs: number;
  confirmP50: number;
  unconfirmed: number;
}

if (!skipped(THROUGHPUT) || !skipped(LATENCY)) {
  const toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  const workDir = mkdtempSync(join(tmpdir(), 'landed-bench-peer-'));
  const stage = await openStage({ toxiproxy, workDir });
  const pages = {
    landed: { script: join(import.meta.dirname, 'pages', 'landed.ts') },
    'offline-transactions': {
      script: join(import.meta.dirname, '../src/clients/peers/pages/offline-transactions.ts'),
    },
  };
  const origin = await PageOrigin.open(pages, stage.baseUrl);
  const profile = await ProfileBrowser.launch({ userDataDir: join(workDir, 'profile') });

  const measure = async (kind: string, page: keyof typeof pages, instance: number): Promise<Measured> => {
    const history: Op[] = [];
    const runner = await BrowserPageRunner.open({
      kind,
      page,
      instance,
      context: profile.context,
      origin,
      record: (op) => history.push(op),
    });
    try {
      const writes = museumWorkload(kind, instance, 10 + BURST + PACED);
      // Warm-up: the first writes open the store and the connections.
      await runner.run(writes.slice(0, 10), 0);
      await runner.drain(60_000);
      const started = performance.now();
      await runner.run(writes.slice(10, 10 + BURST), 0);
      const acceptsPerSec = BURST / ((performance.now() - started) / 1_000);
      await runner.drain(120_000);
      const burstDrainMs = Math.round(performance.now() - started);
      const paced = writes.slice(10 + BURST);
      await runner.run(paced, PACED * GAP_MS);
      await runner.drain(60_000);
      const accepted = new Map<string, number>();
      const latencies: number[] = [];
      for (const op of history) {
        if (op.type === 'enqueue') accepted.set(op.writeId, op.at);
        if (
          op.type === 'verdict' &&
          op.verdict === 'confirmed' &&
          paced.some((w) => w.writeId === op.writeId)
        ) {
          const at = accepted.get(op.writeId);
          if (at !== undefined) latencies.push(op.at - at);
        }
      }
      return {
        acceptsPerSec,
        burstDrainMs,
        confirmP50: percentile(latencies, 50),
        unconfirmed: PACED - latencies.length,
      };
    } finally {
      await runner.close();
    }
  };

  try {
    const rounds: [Measured, Measured][] = [];
    for (const [round, landedFirst] of [true, false].entries()) {
      const first = landedFirst
        ? ['landed-browser', 'landed']
        : ['offline-transactions', 'offline-transactions'];
      const second = landedFirst
        ? ['offline-transactions', 'offline-transactions']
        : ['landed-browser', 'landed'];
      const a = await measure(first[0] as string, first[1] as keyof typeof pages, round);
      const b = await measure(second[0] as string, second[1] as keyof typeof pages, round);
      rounds.push(landedFirst ? [a, b] : [b, a]);
    }
    const best = (side: 0 | 1): Measured => ({
      acceptsPerSec: Math.max(...rounds.map((r) => r[side].acceptsPerSec)),
      burstDrainMs: Math.min(...rounds.map((r) => r[side].burstDrainMs)),
      confirmP50: Math.min(...rounds.map((r) => r[side].confirmP50)),
      unconfirmed: Math.max(...rounds.map((r) => r[side].unconfirmed)),
    });
    const landed = best(0);
    const peer = best(1);
    const notes = {
      rounds: rounds
        .map(
          (r) =>
            `${Math.round(r[0].acceptsPerSec)}/${Math.round(r[1].acceptsPerSec)} accepts/s, burst drained in ${r[0].burstDrainMs}/${r[1].burstDrainMs} ms, ${r[0].confirmP50}/${r[1].confirmP50} ms p50`,
        )
        .join('; '),
      burst: BURST,
      paced: `${PACED} writes, ${GAP_MS} ms apart`,
      landedUnconfirmed: landed.unconfirmed,
      peerUnconfirmed: peer.unconfirmed,
    };
    if (!skipped(THROUGHPUT))
      emit({
        id: THROUGHPUT,
        ours: Math.round(landed.acceptsPerSec),
        baseline: Math.round(peer.acceptsPerSec),
        ratio: landed.acceptsPerSec / peer.acceptsPerSec,
        unit: 'accepts/s',
        target: '>= 1',
        notes,
      });
    if (!skipped(LATENCY))
      emit({
        id: LATENCY,
        ours: landed.confirmP50,
        baseline: peer.confirmP50,
        ratio: landed.confirmP50 / peer.confirmP50,
        unit: 'ms',
        target: '<= 1',
        notes,
      });
  } finally {
    await profile.close();
    await origin.close();
    await stage.close();
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
