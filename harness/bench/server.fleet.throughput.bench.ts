// server.fleet.throughput: keyed writes per second through HAProxy to 4 reference app processes on one
// PostgreSQL, against the same load through HAProxy to 1 of them, in alternating phases of one run.
// Every request is a fresh museum ticket with its own Idempotency-Key (the middleware's full path:
// claim, business insert, finish, commit). No Toxiproxy and no faults: this is the fleet's capacity.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emit, percentile, skipped } from '../../packages/client/bench/bench-kit.ts';
import { alternate, runLoad } from '../../packages/server/bench/load.ts';
import { AppProcess } from '../src/app/AppProcess.ts';
import { resetFleetDatabase } from '../src/fleet/fleet-database.ts';
import { HAProxy, locateHAProxy } from '../src/fleet/HAProxy.ts';

const ID = 'server.fleet.throughput';
const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const INSTANCES = 4;
const CONCURRENCY = Number(process.env.BENCH_FLEET_CONCURRENCY ?? 32);
const PHASE_MS = 3_000;
const ROUNDS = 4;

/** CPU time (user + system) a process has used so far, in ms, from /proc (0 where there is none). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100;

/** Busy CPU time of the whole machine so far, in ms (every core, every process). */
function machineBusyMs(): number {
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return ((cpu.reduce((a, b) => a + b, 0) - idle) * 1000) / CLOCK_TICKS;
}

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

if (!skipped(ID)) {
  if (!locateHAProxy()) console.error(`${ID}: HAProxy not found (apt-get install -y haproxy), skipped`);
  else if (!(await reachable())) console.error(`${ID}: PostgreSQL is not reachable, skipped`);
  else {
    const dir = mkdtempSync(join(tmpdir(), 'landed-bench-fleet-'));
    const databaseUrl = await resetFleetDatabase(PG_URL, 'landed_fleet_bench');
    const apps: AppProcess[] = [await AppProcess.start({ databaseUrl })];
    for (let i = 1; i < INSTANCES; i++) apps.push(await AppProcess.start({ databaseUrl }));
    const backends = apps.map((app, i) => ({ name: `app${i}`, port: app.port }));
    const one = await HAProxy.start(mkdtempSync(join(dir, 'one-')), { backends: backends.slice(0, 1) });
    const all = await HAProxy.start(mkdtempSync(join(dir, 'all-')), { backends });
    let n = 0;
    const post = (url: string) => () => {
      const i = n++;
      const writeId = `bench:${i}`;
      return fetch(`${url}/tickets`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer bench',
          'idempotency-key': `"${randomUUID()}"`,
        },
        body: JSON.stringify({ writeId, visitor: `v-${i}`, ticket: `T-${i}`, price: 25 }),
      });
    };
    // Where each phase's CPU goes, per request: the app processes, this load generator, the machine.
    const cpu = {
      fleet: { app: 0, load: 0, machine: 0, ok: 0 },
      one: { app: 0, load: 0, machine: 0, ok: 0 },
    };
    const phase = (url: string, into: keyof typeof cpu) => async () => {
      const before = {
        app: apps.reduce((t, a) => t + cpuMs(a.pid), 0),
        load: cpuMs(process.pid),
        machine: machineBusyMs(),
      };
      const result = await runLoad(post(url), {
        concurrency: CONCURRENCY,
        durationMs: PHASE_MS,
        expect: (r) => r.status === 201,
      });
      const c = cpu[into];
      c.app += apps.reduce((t, a) => t + cpuMs(a.pid), 0) - before.app;
      c.load += cpuMs(process.pid) - before.load;
      c.machine += machineBusyMs() - before.machine;
      c.ok += result.ok;
      return result;
    };
    const perRequest = (c: (typeof cpu)['one']) => ({
      app: +(c.app / c.ok).toFixed(3),
      load: +(c.load / c.ok).toFixed(3),
      machine: +(c.machine / c.ok).toFixed(3),
    });
    try {
      await phase(all.url, 'fleet')(); // warm-up: every instance's pool, JIT and prepared statements
      await phase(one.url, 'one')();
      for (const c of Object.values(cpu)) Object.assign(c, { app: 0, load: 0, machine: 0, ok: 0 });
      const { ours, baseline } = await alternate(ROUNDS, phase(all.url, 'fleet'), phase(one.url, 'one'));
      const fleetCpu = perRequest(cpu.fleet);
      const oneCpu = perRequest(cpu.one);
      emit({
        id: ID,
        ours: Math.round(ours.rps),
        baseline: Math.round(baseline.rps),
        ratio: ours.rps / baseline.rps,
        unit: 'req/s',
        target: '>= 1.6',
        notes: {
          instances: INSTANCES,
          cores: availableParallelism(),
          concurrency: CONCURRENCY,
          p50_ms_fleet: +percentile(ours.latencies, 50).toFixed(2),
          p50_ms_one: +percentile(baseline.latencies, 50).toFixed(2),
          failed: ours.failed + baseline.failed,
          // CPU ms per request: in the app processes (all of them), in this load generator, and on
          // the whole machine (PostgreSQL, HAProxy and anything else running included).
          cpu_ms_app_fleet: fleetCpu.app,
          cpu_ms_app_one: oneCpu.app,
          cpu_ms_load_fleet: fleetCpu.load,
          cpu_ms_load_one: oneCpu.load,
          cpu_ms_machine_fleet: fleetCpu.machine,
          cpu_ms_machine_one: oneCpu.machine,
        },
      });
    } finally {
      await one.stop();
      await all.stop();
      await Promise.all(apps.map((a) => a.stop()));
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
