/**
 * The museum matrix is an experiment file (harness/experiments/museum.yaml): it parses and
 * validates, and it is the matrix the harness had as code — the same scenarios, fault windows, menu,
 * seeded schedules and writes, as recorded in test/fixtures/museum-matrix.json before the move.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { museumWorkload } from '../clients/workload.ts';
import type { FaultStep } from '../scenarios/faults.ts';
import { menuFor } from '../scenarios/needs.ts';
import { runSize } from '../scenarios/run-scenario.ts';
import { fixedSchedule, mixedSchedule } from '../scenarios/schedule.ts';
import { isHarnessError } from '../toxiproxy/errors.ts';
import { loadMuseum, MUSEUM, parseExperiment } from './load.ts';
import { planWrites } from './plan.ts';
import { sizesOf } from './run-experiment.ts';

interface Recorded {
  scenarios: {
    name: string;
    proves: string;
    postgres?: boolean;
    serverFaults?: boolean;
    childClients?: boolean;
    generated?: boolean;
    steps: FaultStep[];
  }[];
  menu: { sqlite: unknown[]; postgres: unknown[] };
  mixed20261130: FaultStep[];
  workload: { landed1: unknown[]; naive0: unknown[] };
}
const recorded = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../test/fixtures/museum-matrix.json'), 'utf8'),
) as Recorded;
const text = readFileSync(MUSEUM, 'utf8');
const museum = loadMuseum();

function errorOf(source: string): string {
  try {
    parseExperiment(source, 'museum.yaml');
  } catch (error) {
    if (isHarnessError(error) && error.code === 'BAD_EXPERIMENT') return error.message;
    throw error;
  }
  throw new Error('expected the file to be refused');
}
const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('harness/experiments/museum.yaml', () => {
  it('is a valid experiment: Landed and naive clients on the reference app, verified by its ledger', () => {
    expect(museum).toMatchObject({
      name: 'museum',
      target: 'reference',
      clients: 2,
      kinds: ['landed', 'naive'],
      verify: { kind: 'ledger' },
      drainMs: 30_000,
      full: { clients: 4, writes: 2500, runs: 100, drainMs: 120_000 },
      unsupported: 'skip',
      writes: { count: 20, spreadMs: { perWrite: 3, min: 3000 } },
    });
  });

  it('has the sizes the CLI had: 2 × 20 writes, 2 schedules, 30 s drain; --full 4 × 2,500, 100, 120 s', () => {
    expect(sizesOf(museum, {})).toEqual({ clients: 2, writes: 20, runs: 2, drainMs: 30_000 });
    expect(sizesOf(museum, { full: true })).toEqual({
      clients: 4,
      writes: 2500,
      runs: 100,
      drainMs: 120_000,
    });
    expect(sizesOf(museum, { full: true, clients: 1, runs: 3 })).toMatchObject({ clients: 1, runs: 3 });
    // The window: 3 ms per write and client, at least 3 s.
    expect(runSize(2, 20, 30_000, museum.writes.spreadMs).windowMs).toBe(3_000);
    expect(runSize(4, 2500, 120_000, museum.writes.spreadMs).windowMs).toBe(30_000);
  });

  it('has the scenarios of the built-in matrix, in its order, proving the same things', () => {
    expect(museum.scenarios.map((s) => [s.name, s.proves])).toEqual(
      recorded.scenarios.map((s) => [s.name, s.proves]),
    );
  });

  it('plays the same fault windows, and needs what the matrix flagged (PostgreSQL, hooks, processes)', () => {
    for (const s of museum.scenarios) {
      const was = recorded.scenarios.find((r) => r.name === s.name);
      const faults = s.faults.map((f) => f.fault);
      expect(fixedSchedule(s.faults, 3_000).steps, s.name).toEqual(was?.steps);
      expect(
        faults.some((f) => 'target' in f && f.target === 'db'),
        s.name,
      ).toBe(Boolean(was?.postgres));
      expect(
        faults.some((f) => f.kind === 'server'),
        s.name,
      ).toBe(Boolean(was?.serverFaults));
      expect(
        faults.some((f) => f.kind === 'kill-clients'),
        s.name,
      ).toBe(Boolean(was?.childClients));
      expect(Boolean(s.draw || s.search), s.name).toBe(Boolean(was?.generated));
    }
    expect(museum.scenarios.find((s) => s.name === 'mixed')?.draw).toEqual({ min: 6, max: 10 });
    expect(museum.scenarios.find((s) => s.name === 'random')?.search).toEqual({ min: 1, max: 5, runs: 2 });
  });

  it('draws from the same menu, so a seed gives the same mixed schedule as before', () => {
    expect(menuFor(museum, {})).toEqual(recorded.menu.sqlite);
    expect(menuFor(museum, { postgresUrl: 'postgres://x' })).toEqual(recorded.menu.postgres);
    // A --target server's database is not behind the harness: no database faults.
    expect(menuFor(museum, { postgresUrl: 'postgres://x', target: 'http://t' })).toEqual(
      recorded.menu.sqlite,
    );
    expect(mixedSchedule(menuFor(museum, {}), 20261130, { min: 6, max: 10 })).toEqual(recorded.mixed20261130);
  });

  it('renders the museum workload: the same write ids, routes, lanes and bodies', () => {
    const writes = (kind: string, client: number, count: number) =>
      planWrites(museum.writes, kind, client, count, 'r1').writes.map(({ method: _m, ...w }) => w);
    expect(writes('landed', 1, 12)).toEqual(recorded.workload.landed1);
    expect(writes('naive', 0, 7)).toEqual(recorded.workload.naive0);
    expect(writes('landed', 3, 23)).toEqual(museumWorkload('landed', 3, 23));
  });
});

describe('a museum-style file with a mistake', () => {
  it.each([
    [
      'during: [10%-80%], overlap: true',
      'during: [80%-10%], overlap: true',
      'scenarios[0].faults[0].during[0]: must be a window like "10%-80%"',
    ],
    [
      '{ down: true, proxy: db, during',
      '{ down: true, proxy: dbx, during',
      'scenarios[12].faults[0].proxy: must be app or db, got "dbx"',
    ],
    [
      '{ kill: clients, during',
      '{ kill: client, during',
      'scenarios[10].faults[1].kill: must be clients (every client process',
    ],
    [
      '{ crash: after-commit, rate: 0.3',
      '{ crash: after-commit, rate: 3',
      'scenarios[9].faults[0].rate: must be above 0 and at most 1, got 3',
    ],
    ['kinds: [landed, naive]', 'kinds: [landed, naïve]', 'clients.kinds[1]: must be landed or naive'],
    [
      'draw: { min: 6, max: 10 }',
      'draw: { min: 6, most: 10 }',
      'scenarios[13].draw.most: unknown field; allowed here: min, max',
    ],
  ])('names the line and the field: %s', (from, to, message) => {
    const line = lineOf(from);
    expect(line).toBeGreaterThan(0);
    expect(errorOf(text.replace(from, to))).toMatch(
      new RegExp(`^museum\\.yaml:${line}: ${literal(message)}`),
    );
  });

  it('refuses two faults acting at once unless one says overlap: true', () => {
    const from = 'attributes: { latency: 400, jitter: 200 }, during: [10%-80%], overlap: true }';
    expect(errorOf(text.replace(from, from.replace(', overlap: true', '')))).toBe(
      `museum.yaml:${lineOf('attributes: { latency: 150, jitter: 50 }, during: [30%-60%]')}: scenarios[0].faults[1].during: overlaps faults[0]; move it, or set "overlap: true" on either if both are meant to act at once`,
    );
  });

  it('refuses a writeId that two writes could share', () => {
    expect(errorOf(text.replace('writeId: "{{kind}}:{{client}}:{{n}}"', 'writeId: "{{client}}:{{n}}"'))).toBe(
      `museum.yaml:${lineOf('writeId: "{{kind}}')}: writes.writeId: must contain {{n}}, {{client}}, {{kind}}, so that every write has an id of its own`,
    );
  });
});

function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
