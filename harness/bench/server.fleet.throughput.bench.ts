// server.fleet.throughput: keyed writes per second through HAProxy to 4 reference app processes on one
// PostgreSQL, against the same load through HAProxy to 1 of them, in alternating phases of one run.
// Every request is a fresh museum ticket with its own Idempotency-Key (the middleware's full path:
// claim, business insert, finish, commit). No Toxiproxy and no faults: this is the fleet's capacity.
// Then the same two balancers with writes that carry no key (the app's plain route: the same insert,
// no key record): the fleet ratio any app gets on this machine, Landed or not (notes `bare_*`).
// Each instance of the fleet opens at most ceil(10 / 4) = 3 PostgreSQL connections (its share of the
// single instance's default pool of 10; BENCH_FLEET_POOL_MAX to change), as docs/server.md recommends.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emit, percentile, skipped } from '../../packages/client/bench/bench-kit.ts';
import { alternate, runLoad } from '../../packages/server/bench/load.ts';
import { AppProcess } from '../src/app/AppProcess.ts';
import { holdDatabase } from '../src/fleet/fleet-database.ts';
import { HAProxy, locateHAProxy } from '../src/fleet/HAProxy.ts';

const ID = 'server.fleet.throughput';
const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const INSTANCES = 4;
const CONCURRENCY = Number(process.env.BENCH_FLEET_CONCURRENCY ?? 32);
const PHASE_MS = 3_000;
const ROUNDS = 4;
/** The single instance keeps the store's default pool (10); each of the fleet's takes its share. */
const FLEET_POOL_MAX = Number(process.env.BENCH_FLEET_POOL_MAX ?? Math.ceil(10 / INSTANCES));

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

/** CPU fields of a process: [user + system, user + system of its reaped children], in ms. */
function cpuFields(pid: number): [number, number] {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return [
      ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS,
      ((Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS,
    ];
  } catch {
    return [0, 0];
  }
}

/**
 * Every PostgreSQL process's CPU so far, in ms: the postmaster's children alive now (backends, WAL
 * writer, checkpointer…) and those that exited (the postmaster's reaped-children time). Every
 * database's backends count, other clients' too. 0 where the server is not on this machine.
 */
function postgresMs(postmaster: number | undefined): number {
  if (postmaster === undefined) return 0;
  const [own, reaped] = cpuFields(postmaster);
  let total = own + reaped;
  try {
    const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8');
    for (const c of children.trim().split(/\s+/)) if (c) total += cpuFields(Number(c))[0];
  } catch {
    return 0;
  }
  return total;
}

/** The postmaster's process id, found as the parent of the checkpointer (undefined when not local). */
async function findPostmaster(): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
    );
    const pid = rows[0]?.pid;
    if (pid === undefined) return undefined;
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
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
    const held = await holdDatabase(PG_URL, 'landed_fleet_bench');
    const databaseUrl = held.url;
    const postmaster = await findPostmaster();
    // The single instance (apps[0]) with the store's default pool; the fleet's other three with their
    // share. Through `one`, only apps[0] works; through `all`, every instance.
    const single = await AppProcess.start({ databaseUrl });
    const apps: AppProcess[] = [single];
    const fleetApps: AppProcess[] = [];
    for (let i = 0; i < INSTANCES; i++)
      fleetApps.push(await AppProcess.start({ databaseUrl, pgPoolMax: FLEET_POOL_MAX }));
    apps.push(...fleetApps);
    const backends = fleetApps.map((app, i) => ({ name: `app${i}`, port: app.port }));
    const one = await HAProxy.start(mkdtempSync(join(dir, 'one-')), {
      backends: [{ name: 'app0', port: single.port }],
    });
    const all = await HAProxy.start(mkdtempSync(join(dir, 'all-')), { backends });
    let n = 0;
    // A keyed write takes the middleware's path; a bare one (no Idempotency-Key) the app's plain
    // route: the same insert in one transaction of the same store, with no key record.
    const post = (url: string, keyed: boolean) => () => {
      const i = n++;
      const writeId = `bench:${i}`;
      return fetch(`${url}/tickets`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer bench',
          ...(keyed ? { 'idempotency-key': `"${randomUUID()}"` } : {}),
        },
        body: JSON.stringify({ writeId, visitor: `v-${i}`, ticket: `T-${i}`, price: 25 }),
      });
    };
    // Where each phase's CPU goes, per request: the app processes, PostgreSQL, HAProxy, this load
    // generator, and the whole machine (anything else running on it included).
    const zero = () => ({ app: 0, postgres: 0, haproxy: 0, load: 0, machine: 0, ok: 0 });
    const cpu = { fleet: zero(), one: zero(), bareFleet: zero(), bareOne: zero() };
    const sample = () => ({
      app: apps.reduce((t, a) => t + cpuMs(a.pid), 0),
      postgres: postgresMs(postmaster),
      haproxy: cpuMs(one.pid) + cpuMs(all.pid),
      load: cpuMs(process.pid),
      machine: machineBusyMs(),
    });
    const phase =
      (url: string, into: keyof typeof cpu, keyed = true) =>
      async () => {
        const before = sample();
        const result = await runLoad(post(url, keyed), {
          concurrency: CONCURRENCY,
          durationMs: PHASE_MS,
          expect: (r) => r.status === 201,
        });
        const after = sample();
        const c = cpu[into];
        for (const k of ['app', 'postgres', 'haproxy', 'load', 'machine'] as const)
          c[k] += after[k] - before[k];
        c.ok += result.ok;
        return result;
      };
    const perRequest = (c: (typeof cpu)['one']) => {
      const per = (ms: number) => +(ms / c.ok).toFixed(3);
      return {
        app: per(c.app),
        postgres: per(c.postgres),
        haproxy: per(c.haproxy),
        load: per(c.load),
        machine: per(c.machine),
        other: per(c.machine - c.app - c.postgres - c.haproxy - c.load),
      };
    };
    try {
      await phase(all.url, 'fleet')(); // warm-up: every instance's pool, JIT and prepared statements
      await phase(one.url, 'one')();
      await phase(all.url, 'bareFleet', false)();
      await phase(one.url, 'bareOne', false)();
      for (const c of Object.values(cpu)) Object.assign(c, zero());
      const { ours, baseline } = await alternate(ROUNDS, phase(all.url, 'fleet'), phase(one.url, 'one'));
      // The same fleet against the same single instance for writes with no key record: what four
      // processes on this machine give any app, Landed's middleware or not (the floor of the ratio).
      const bare = await alternate(
        ROUNDS,
        phase(all.url, 'bareFleet', false),
        phase(one.url, 'bareOne', false),
      );
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
          pool_max_fleet: FLEET_POOL_MAX,
          cores: availableParallelism(),
          concurrency: CONCURRENCY,
          p50_ms_fleet: +percentile(ours.latencies, 50).toFixed(2),
          p50_ms_one: +percentile(baseline.latencies, 50).toFixed(2),
          failed: ours.failed + baseline.failed + bare.ours.failed + bare.baseline.failed,
          // Writes with no Idempotency-Key through the same two balancers: the fleet ratio of a bare
          // app on this machine, and each side's throughput.
          bare_ratio: +(bare.ours.rps / bare.baseline.rps).toFixed(3),
          bare_rps_fleet: Math.round(bare.ours.rps),
          bare_rps_one: Math.round(bare.baseline.rps),
          cpu_ms_machine_bare_fleet: perRequest(cpu.bareFleet).machine,
          cpu_ms_machine_bare_one: perRequest(cpu.bareOne).machine,
          // CPU ms per request: in the app processes (all of them), PostgreSQL (every process of the
          // server), HAProxy, this load generator, the whole machine, and the rest of the machine
          // (other work running beside the bench).
          cpu_ms_app_fleet: fleetCpu.app,
          cpu_ms_app_one: oneCpu.app,
          cpu_ms_pg_fleet: fleetCpu.postgres,
          cpu_ms_pg_one: oneCpu.postgres,
          cpu_ms_haproxy_fleet: fleetCpu.haproxy,
          cpu_ms_haproxy_one: oneCpu.haproxy,
          cpu_ms_load_fleet: fleetCpu.load,
          cpu_ms_load_one: oneCpu.load,
          cpu_ms_machine_fleet: fleetCpu.machine,
          cpu_ms_machine_one: oneCpu.machine,
          cpu_ms_other_fleet: fleetCpu.other,
          cpu_ms_other_one: oneCpu.other,
        },
      });
    } finally {
      await one.stop();
      await all.stop();
      await Promise.all(apps.map((a) => a.stop()));
      await held.release();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
