import { describe, expect, it } from 'vitest';
import { Progress } from './progress.ts';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const out = Object.assign(
    { write: (c: string) => chunks.push(c) !== 0 },
    { isTTY, columns: 100 },
  ) as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { out, text: () => chunks.join('') };
}

describe('Progress in a CI log', () => {
  it('reports inside a scenario when the faults change and, as answers arrive, every 10 s', () => {
    const clock = { now: 0 };
    const { out, text } = capture(false);
    const p = new Progress({ out, now: () => clock.now });
    p.scenario('outage', 6, 15);
    p.update(0, 40);
    p.update(3, 40);
    p.update(4, 40, ['proxy down']);
    clock.now = 9_999;
    p.update(5, 40, ['proxy down']);
    clock.now = 10_000;
    p.update(6, 40, ['proxy down']);
    p.update(7, 40, []);
    p.update(40, 40, []);
    expect(text()).toBe(
      [
        '[7/15] outage …',
        '  outage: 4/40 answered · faults: proxy down',
        '  outage: 6/40 answered · faults: proxy down',
        '  outage: 7/40 answered · faults: none',
        '',
      ].join('\n'),
    );
  });
});

describe('Progress on a terminal', () => {
  it('redraws one line with the answers and the active faults, cut to the terminal', () => {
    const { out, text } = capture(true);
    const p = new Progress({ out, now: () => 1_000 });
    p.scenario('mixed', 13, 15);
    p.update(10, 40, ['latency downstream', '500-after-commit', 'reset_peer upstream', 'slicer both ways']);
    const line = text().split('\r').at(-1) as string;
    expect(line.endsWith('…\x1b[K')).toBe(true);
    const shown = line.replace('\x1b[K', '');
    expect(shown).toMatch(/^\[14\/15\] mixed +\[█{6}░{18}\] 10\/40 · latency downstream, 500-after-/);
    expect(shown.length).toBeLessThanOrEqual(99);
  });
});
