// checker.throughput: checking a 1,000,000-op History (read + parse + check) vs only reading and
// parsing it, measured in the same run. The Checker must not be what makes --full slow.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emit, skipped } from '../../packages/client/bench/bench-kit.ts';
import { check } from '../src/checker/check.ts';
import type { LedgerRow, Op } from '../src/checker/history.ts';

const ID = 'checker.throughput';
if (!skipped(ID)) {
  const OPS = 1_000_000;
  const path = join(tmpdir(), `landed-history-${process.pid}.jsonl`);
  const lines: string[] = [];
  const ledger: LedgerRow[] = [];
  let n = 0;
  for (let w = 0; lines.length < OPS; w++) {
    const writeId = `landed:${w % 8}:${w}`;
    const payload = { writeId, visitor: `v${w >> 2}`, object: 18_383_769 + w };
    const at = w;
    const ops: Op[] = [{ type: 'enqueue', at, client: 'landed', writeId, key: `k${w}`, payload }];
    if (w % 5 === 0) ops.push({ type: 'attempt', at: at + 1, client: 'landed', writeId, result: 'info' });
    ops.push({
      type: 'attempt',
      at: at + 2,
      client: 'landed',
      writeId,
      result: 'ok',
      status: 201,
      receipt: ++n,
    });
    ops.push({
      type: 'verdict',
      at: at + 3,
      client: 'landed',
      writeId,
      verdict: 'confirmed',
      status: 201,
      receipt: n,
    });
    if (w % 1000 === 0) ops.push({ type: 'fault', at, phase: 'start', name: 'latency downstream' });
    for (const op of ops) lines.push(JSON.stringify(op));
    ledger.push({
      id: n,
      writeId,
      key: `k${w}`,
      op: 'collect-object',
      payload: JSON.stringify(payload),
      principal: 'landed:0',
      at,
    });
  }
  writeFileSync(path, `${lines.slice(0, OPS).join('\n')}\n`);
  lines.length = 0;

  const parse = (): Op[] => {
    const text = readFileSync(path, 'utf8');
    const out: Op[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      out.push(JSON.parse(text.slice(start, end)) as Op);
      start = end + 1;
    }
    return out;
  };
  const time = (fn: () => void) => {
    globalThis.gc?.();
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  const baselines: number[] = [];
  const ours: number[] = [];
  let passed = false;
  for (let round = 0; round < 3; round++) {
    baselines.push(time(() => void parse()));
    ours.push(
      time(() => {
        passed = check(parse(), ledger)[0]?.passed === true;
      }),
    );
  }
  rmSync(path, { force: true });
  const best = (xs: number[]) => Math.min(...xs);
  emit({
    id: ID,
    ours: best(ours),
    baseline: best(baselines),
    ratio: best(ours) / best(baselines),
    unit: 'ms',
    target: '<= 3',
    notes: {
      ops: OPS,
      writes: ledger.length,
      passed: String(passed),
      opsPerSec: Math.round(OPS / (best(ours) / 1000)),
    },
  });
}
