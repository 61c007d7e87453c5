/**
 * A fleet for real, at a small size: two reference app processes on one PostgreSQL behind Debian's
 * HAProxy, each reaching the database through its own Toxiproxy proxy. Landed must come out clean of
 * every fleet scenario run here, with the fault it is about really played (a retry answered 409 by the
 * other instance; an instance SIGKILLed mid-handler and back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIOLATIONS } from '../src/checker/check.ts';
import { FLEET_SCENARIOS } from '../src/fleet/fleet-scenarios.ts';
import { locateHAProxy } from '../src/fleet/HAProxy.ts';
import { type FleetRun, runFleetScenario } from '../src/fleet/run-fleet-scenario.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';

const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
// A 5 s window: an instance killed early is back in a second or two and busy again before the second kill.
const SIZE = { clients: 2, writes: 15, windowMs: 5_000, drainMs: 30_000 };

let toxiproxy: ToxiproxyServer;
let workDir: string;
const runs = new Map<string, FleetRun>();

beforeAll(async () => {
  if (!locateHAProxy())
    throw new Error('This test needs HAProxy: apt-get install -y haproxy (.ci/run does).');
  const probe = new pg.Client({ connectionString: PG_URL });
  await probe.connect();
  await probe.end();
  toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  workDir = mkdtempSync(join(tmpdir(), 'landed-fleet-test-'));
  for (const name of ['split-retry', 'instance-kill'] as const)
    runs.set(
      name,
      await runFleetScenario(FLEET_SCENARIOS[name], SIZE, {
        toxiproxy,
        workDir,
        postgresUrl: PG_URL,
        instances: 2,
        // Its own database: a fleet run elsewhere on the same server empties landed_fleet.
        database: 'landed_fleet_test',
      }),
    );
}, 170_000);

afterAll(async () => {
  await toxiproxy?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const verdict = (name: string, client: string) => {
  const v = runs.get(name)?.verdicts.find((x) => x.client === client);
  if (!v) throw new Error(`no ${client} verdict for ${name}`);
  return v;
};

describe('a fleet of two instances on one PostgreSQL behind HAProxy', () => {
  it.each(['split-retry', 'instance-kill'])(
    'Landed: %s — every write landed exactly once and was answered',
    (name) => {
      const v = verdict(name, 'landed');
      expect(Object.fromEntries(VIOLATIONS.map((k) => [k, v[k]]))).toEqual(
        Object.fromEntries(VIOLATIONS.map((k) => [k, 0])),
      );
      expect(v.confirmed).toBe(SIZE.clients * SIZE.writes);
    },
  );

  it('split-retry: retries met the other instance while the first held the key, and were told 409', () => {
    expect(runs.get('split-retry')?.conflicts).toBeGreaterThan(0);
  });

  // Each kill waits for a keyed write inside app0's handler; the second one may find none when a slow
  // machine restarts app0 after the workload has ended, and is then recorded as not applied.
  it('instance-kill: the instance was SIGKILLed mid-handler and came back each time', () => {
    const run = runs.get('instance-kill');
    expect(run?.instanceKills).toBeGreaterThanOrEqual(1);
    expect(run?.appCrashes).toBe(run?.instanceKills);
  });

  it('the naive client, on the same faults, applies writes twice when its retry meets another instance', () => {
    expect(verdict('split-retry', 'naive').duplicated).toBeGreaterThan(0);
  });
});
