import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClientVerdict, check, VIOLATIONS } from './check.ts';
import type { History, LedgerRow, Op } from './history.ts';

const payload = (writeId: string) => ({ writeId, op: 'collect-object', object: 18383769 });
let nextRow = 1;
const row = (writeId: string, over: Partial<LedgerRow> = {}): LedgerRow => ({
  id: nextRow++,
  writeId,
  key: `k-${writeId}`,
  op: 'collect-object',
  payload: JSON.stringify(payload(writeId)),
  principal: 'landed:0',
  at: 0,
  ...over,
});
const enqueue = (writeId: string, at = 0, client = 'landed'): Op => ({
  type: 'enqueue',
  at,
  client,
  writeId,
  key: `k-${writeId}`,
  payload: payload(writeId),
});
const attempt = (writeId: string, result: 'ok' | 'fail' | 'info', extra: Partial<Op> = {}): Op =>
  ({ type: 'attempt', at: 1, client: 'landed', writeId, result, ...extra }) as Op;
const verdict = (
  writeId: string,
  v: 'confirmed' | 'rejected' | 'expired' | 'unresolved',
  at = 10,
  extra: Partial<Op> = {},
): Op => ({ type: 'verdict', at, client: 'landed', writeId, verdict: v, ...extra }) as Op;

function only(history: History, ledger: LedgerRow[], client = 'landed'): ClientVerdict {
  const v = check(history, ledger).find((r) => r.client === client);
  if (!v) throw new Error(`no verdict for ${client}`);
  return v;
}
function violations(v: ClientVerdict): Record<string, number> {
  return Object.fromEntries(VIOLATIONS.filter((k) => v[k] > 0).map((k) => [k, v[k]]));
}

describe('Checker on hand-written histories', () => {
  it('passes a clean history, counting a recovered write and the resolve times', () => {
    const r1 = row('w1');
    const r2 = row('w2');
    const history: History = [
      enqueue('w1', 0),
      enqueue('w2', 0),
      { type: 'fault', at: 1, phase: 'start', name: 'timeout downstream' },
      attempt('w1', 'ok', { receipt: r1.id }),
      attempt('w2', 'info'),
      { type: 'fault', at: 2, phase: 'stop', name: 'timeout downstream' },
      attempt('w2', 'ok', { replayed: true, receipt: r2.id }),
      verdict('w1', 'confirmed', 10, { receipt: r1.id }),
      verdict('w2', 'confirmed', 30, { replayed: true, receipt: r2.id }),
    ];
    const v = only(history, [r1, r2]);
    expect(violations(v)).toEqual({});
    expect(v).toMatchObject({
      writes: 2,
      confirmed: 2,
      recovered: 1,
      attemptsPerWrite: 1.5,
      resolveMsP50: 10,
      resolveMsP99: 30,
      passed: true,
    });
  });

  it('passes an honest refusal and an expired write a person was told about', () => {
    const v = only(
      [
        enqueue('w1'),
        attempt('w1', 'fail', { status: 422 }),
        verdict('w1', 'rejected'),
        enqueue('w2'),
        attempt('w2', 'info'),
        verdict('w2', 'expired'),
      ],
      [],
    );
    expect(v.passed).toBe(true);
    expect(v).toMatchObject({ rejected: 1, expired: 1 });
  });

  it('catches a lost write: confirmed but not in the ledger', () => {
    const v = only([enqueue('w1'), attempt('w1', 'ok'), verdict('w1', 'confirmed')], []);
    expect(violations(v)).toEqual({ lost: 1 });
    expect(v.examples.lost).toEqual(['w1']);
    expect(v.passed).toBe(false);
  });

  it('catches a write accepted and then forgotten (no verdict, no row) as lost and unresolved', () => {
    const v = only([enqueue('w1')], []);
    expect(violations(v)).toEqual({ lost: 1, unresolved: 1 });
  });

  it('catches a duplicated write', () => {
    const v = only(
      [enqueue('w1'), attempt('w1', 'info'), attempt('w1', 'ok'), verdict('w1', 'confirmed')],
      [row('w1'), row('w1')],
    );
    expect(violations(v)).toEqual({ duplicated: 1 });
    expect(v.recovered).toBe(0);
  });

  it('catches an unexpected row nobody enqueued, and charges it to the client its principal names', () => {
    const result = check(
      [enqueue('w1'), verdict('w1', 'confirmed')],
      [row('w1'), row('ghost', { principal: 'naive:3' })],
    );
    expect(result.find((r) => r.client === 'landed')?.passed).toBe(true);
    expect(result.find((r) => r.client === 'naive')).toMatchObject({
      unexpected: 1,
      passed: false,
      examples: { unexpected: ['ghost'] },
    });
  });

  it('catches a phantom: the app was told it failed, the ledger has it', () => {
    const v = only(
      [enqueue('w1'), attempt('w1', 'fail', { status: 500 }), verdict('w1', 'rejected')],
      [row('w1')],
    );
    expect(violations(v)).toEqual({ phantom: 1 });
  });

  it('catches a wrong payload, ignoring key order', () => {
    const reordered = row('w1', {
      payload: JSON.stringify({ object: 18383769, op: 'collect-object', writeId: 'w1' }),
    });
    expect(only([enqueue('w1'), verdict('w1', 'confirmed')], [reordered]).passed).toBe(true);
    const v = only(
      [enqueue('w1'), verdict('w1', 'confirmed')],
      [row('w1', { payload: JSON.stringify({ ...payload('w1'), object: 1 }) })],
    );
    expect(violations(v)).toEqual({ wrongPayload: 1 });
  });

  it('catches an inconsistent replay: two answers for one write', () => {
    const r = row('w1');
    const v = only(
      [
        enqueue('w1'),
        attempt('w1', 'ok', { receipt: r.id }),
        attempt('w1', 'ok', { replayed: true, receipt: r.id + 1000 }),
        verdict('w1', 'confirmed'),
      ],
      [r],
    );
    expect(violations(v)).toEqual({ inconsistentReplay: 1 });
  });

  it('catches a replay of something that was never applied', () => {
    const v = only(
      [
        enqueue('w1'),
        attempt('w1', 'ok', { replayed: true }),
        verdict('w1', 'confirmed', 5, { replayed: true }),
      ],
      [],
    );
    expect(violations(v)).toEqual({ lost: 1, inconsistentReplay: 1 });
  });

  it('catches an unresolved write even when it did land', () => {
    const v = only([enqueue('w1'), attempt('w1', 'info'), verdict('w1', 'unresolved')], [row('w1')]);
    expect(violations(v)).toEqual({ unresolved: 1 });
  });

  it('counts a write never answered as the slowest in the resolve times, not as absent', () => {
    // 99 writes answered within 10 ms and one stranded: leaving it out would give a p99 of 10 ms.
    const ids = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const history: History = ids.flatMap((id, i) =>
      i === 0 ? [enqueue(id), attempt(id, 'info')] : [enqueue(id), verdict(id, 'confirmed', 10)],
    );
    const v = only(
      history,
      ids.map((id) => row(id)),
    );
    expect(violations(v)).toEqual({ unresolved: 1 });
    expect(v.resolveMsP50).toBe(10);
    expect(v.resolveMsP99).toBe(10);
    // Two stranded of 100: the 99th percentile is one of them.
    const two = only(
      [...history.filter((op) => !(op.type === 'verdict' && op.writeId === 'w1')), attempt('w1', 'info')],
      ids.map((id) => row(id)),
    );
    expect(two.unresolved).toBe(2);
    expect(two.resolveMsP99).toBe(Number.POSITIVE_INFINITY);
    expect(two.resolveMsP50).toBe(10);
  });

  it('keeps the first enqueue and a final answer when a restarted process reports again', () => {
    const v = only(
      [enqueue('w1', 0), verdict('w1', 'confirmed', 20), enqueue('w1', 50), verdict('w1', 'unresolved', 60)],
      [row('w1')],
    );
    expect(v).toMatchObject({ passed: true, resolveMsP50: 20 });
  });

  it('checks each client on its own', () => {
    const history: History = [
      enqueue('l1', 0, 'landed'),
      verdict('l1', 'confirmed'),
      enqueue('n1', 0, 'naive'),
      { type: 'verdict', at: 3, client: 'naive', writeId: 'n1', verdict: 'confirmed' },
    ];
    const result = check(history, [
      row('l1'),
      row('n1', { principal: 'naive:0' }),
      row('n1', { principal: 'naive:0' }),
    ]);
    expect(result.map((r) => [r.client, r.passed, r.duplicated])).toEqual([
      ['landed', true, 0],
      ['naive', false, 1],
    ]);
  });
});

describe('Checker properties', () => {
  const runs = Number(process.env.FC_NUM_RUNS ?? 100);
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  console.log(`checker properties: seed=${seed} runs=${runs} (rerun with FC_SEED=${seed})`);

  // A clean run: every write lands once and is confirmed, however many attempts it took.
  const cleanRun = fc
    .array(fc.record({ attempts: fc.array(fc.constantFrom('ok', 'fail', 'info'), { maxLength: 4 }) }), {
      minLength: 1,
      maxLength: 30,
    })
    .map((ws) => {
      const history: History = [];
      const ledger: LedgerRow[] = [];
      ws.forEach((w, i) => {
        const id = `w${i}`;
        history.push(enqueue(id, i));
        for (const result of w.attempts) history.push(attempt(id, result as 'ok'));
        history.push(attempt(id, 'ok'), verdict(id, 'confirmed', i + 5));
        ledger.push(row(id));
      });
      return { history, ledger };
    });

  it('passes every clean history', () => {
    fc.assert(
      fc.property(cleanRun, ({ history, ledger }) => check(history, ledger)[0]?.passed === true),
      { seed, numRuns: runs },
    );
  });

  it('catches any single corruption of a clean history', () => {
    const corruption = fc.constantFrom(
      'drop-row',
      'double-row',
      'foreign-row',
      'reject',
      'forget-verdict',
      'change-payload',
    );
    fc.assert(
      fc.property(cleanRun, corruption, fc.nat(), ({ history, ledger }, how, pick) => {
        const victim = ledger[pick % ledger.length] as LedgerRow;
        let h = history;
        let l = ledger;
        if (how === 'drop-row') l = ledger.filter((r) => r !== victim);
        if (how === 'double-row') l = [...ledger, { ...victim, id: victim.id + 100_000 }];
        if (how === 'foreign-row') l = [...ledger, row('stranger')];
        if (how === 'change-payload')
          l = ledger.map((r) => (r === victim ? { ...r, payload: '{"tampered":true}' } : r));
        if (how === 'reject')
          h = history.map((op) =>
            op.type === 'verdict' && op.writeId === victim.writeId
              ? { ...op, verdict: 'rejected' as const }
              : op,
          );
        if (how === 'forget-verdict')
          h = history.filter((op) => !(op.type === 'verdict' && op.writeId === victim.writeId));
        return check(h, l)[0]?.passed === false;
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('Checker on interleaved histories', () => {
  it('accepts an attempt recorded before its enqueue', () => {
    const v = only([attempt('w1', 'ok'), verdict('w1', 'confirmed', 9), enqueue('w1', 2)], [row('w1')]);
    expect(v).toMatchObject({ passed: true, writes: 1, resolveMsP50: 7 });
  });
});
