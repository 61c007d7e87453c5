/**
 * A fleet: N reference app processes on one PostgreSQL, as a team runs its API once one server is not
 * enough. Clients reach it through a Toxiproxy proxy (the matrix's client-side faults) in front of
 * HAProxy, which spreads requests over the instances; each instance reaches PostgreSQL through a
 * Toxiproxy proxy of its own, so the database can be cut from one instance while the others go on.
 *
 *   clients → Toxiproxy landed-app → HAProxy → app i → Toxiproxy landed-db-i → Toxiproxy landed-db → PostgreSQL
 *
 * The shared `landed-db` proxy is where the single-app matrix's database faults go (every instance
 * meets them at once); `landed-db-i` is where a fault for one instance goes.
 * It offers what a single-app stage offers (base URL, proxies, fault hooks, the ledger read directly)
 * plus each instance, for the scenarios that hit one of them.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess } from '../app/AppProcess.ts';
import type { FaultSetting } from '../app/fault-switch.ts';
import { readPostgresLedger } from '../app/ledger.ts';
import type { LedgerRow } from '../checker/history.ts';
import { ProxyControl } from '../toxiproxy/ProxyControl.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import { FLEET_DATABASE, type HeldDatabase, holdDatabase } from './fleet-database.ts';
import { HAProxy } from './HAProxy.ts';
import type { HAProxyConfigOptions } from './haproxy-config.ts';

export interface FleetOptions {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  /** Direct PostgreSQL connection string (the fleet uses a database of its own on that server). */
  postgresUrl: string;
  /** How many app processes. */
  instances: number;
  /** How HAProxy picks an instance. @default 'round-robin' */
  routing?: HAProxyConfigOptions['routing'];
  /** The database the fleet empties and uses on that server. @default 'landed_fleet' */
  database?: string;
  /** Told when another run holds the PostgreSQL database this one is about to use (it then waits). */
  onDatabaseWait?: ((database: string) => void) | undefined;
}

export interface FleetInstance {
  readonly index: number;
  /** The HAProxy server name, `app<index>`. */
  readonly name: string;
  readonly app: AppProcess;
  /** This instance's own way to PostgreSQL. */
  readonly dbProxy: ProxyControl;
}

export class Fleet {
  readonly instances: readonly FleetInstance[];
  /** Client-side proxy, in front of HAProxy. */
  readonly appProxy: ProxyControl;
  /** The database proxy every instance goes through (behind its own). */
  readonly dbProxy: ProxyControl;
  readonly balancer: HAProxy;
  readonly dir: string;
  readonly #database: HeldDatabase;

  private constructor(
    parts: Pick<Fleet, 'instances' | 'appProxy' | 'dbProxy' | 'balancer' | 'dir'>,
    database: HeldDatabase,
  ) {
    this.instances = parts.instances;
    this.appProxy = parts.appProxy;
    this.dbProxy = parts.dbProxy;
    this.balancer = parts.balancer;
    this.dir = parts.dir;
    this.#database = database;
  }

  static async open({
    toxiproxy,
    workDir,
    postgresUrl,
    instances,
    routing,
    database = FLEET_DATABASE,
    onDatabaseWait,
  }: FleetOptions): Promise<Fleet> {
    if (!(instances >= 1)) throw new RangeError('A fleet needs at least one instance.');
    await toxiproxy.client.reset();
    const dir = mkdtempSync(join(workDir, 'fleet-'));
    // Held until the fleet closes: another run on this server waits instead of emptying it.
    const held = await holdDatabase(postgresUrl, database, onDatabaseWait);
    const url = held.url;
    const direct = new URL(url);
    const started: FleetInstance[] = [];
    const proxies: ProxyControl[] = [];
    let balancer: HAProxy | undefined;
    try {
      const shared = await ProxyControl.create(
        toxiproxy.client,
        'landed-db',
        `${direct.hostname}:${direct.port || 5432}`,
      );
      proxies.push(shared);
      const startOne = async (index: number): Promise<FleetInstance> => {
        const dbProxy = await ProxyControl.create(toxiproxy.client, `landed-db-${index}`, shared.listen);
        proxies.push(dbProxy);
        const proxied = new URL(url);
        proxied.hostname = '127.0.0.1';
        proxied.port = String(dbProxy.port);
        const app = await AppProcess.start({ databaseUrl: proxied.toString() });
        const instance = { index, name: `app${index}`, app, dbProxy };
        started.push(instance);
        return instance;
      };
      // The first instance creates the tables; the others then start side by side.
      const first = await startOne(0);
      const rest = await Promise.all(Array.from({ length: instances - 1 }, (_, i) => startOne(i + 1)));
      const all = [first, ...rest];
      balancer = await HAProxy.start(dir, {
        backends: all.map((i) => ({ name: i.name, port: i.app.port })),
        ...(routing ? { routing } : {}),
      });
      const appProxy = await ProxyControl.create(
        toxiproxy.client,
        'landed-app',
        `127.0.0.1:${balancer.port}`,
      );
      return new Fleet({ instances: all, appProxy, dbProxy: shared, balancer, dir }, held);
    } catch (error) {
      await balancer?.stop();
      await Promise.all(started.map((i) => i.app.stop()));
      await Promise.all(proxies.map((p) => p.remove().catch(() => {})));
      await held.release();
      throw error;
    }
  }

  /** Where clients send writes: through the client-side proxy and HAProxy. */
  get baseUrl(): string {
    return `http://${this.appProxy.listen}`;
  }

  /** The fault hooks of every instance as one server (the matrix's server faults hit all of them). */
  get server(): { setFault(setting: FaultSetting | undefined): Promise<void>; settled(): Promise<void> } {
    return {
      setFault: async (setting) => {
        await Promise.all(this.instances.map((i) => i.app.setFault(setting)));
      },
      settled: async () => {
        await Promise.all(this.instances.map((i) => i.app.settled()));
      },
    };
  }

  /** Exits of instances that were not asked to stop (SIGKILLs included), over the whole fleet. */
  crashes(): number {
    return this.instances.reduce((n, i) => n + i.app.crashes, 0);
  }

  /** The truth: the whole ledger, read directly from PostgreSQL (never through a proxy). */
  readLedger(): Promise<LedgerRow[]> {
    return readPostgresLedger(this.#database.url);
  }

  /** The direct connection string of the fleet's database. */
  get databaseUrl(): string {
    return this.#database.url;
  }

  async close(): Promise<void> {
    await this.appProxy.remove().catch(() => {});
    await this.balancer.stop();
    await Promise.all(this.instances.map((i) => i.app.stop()));
    await Promise.all(this.instances.map((i) => i.dbProxy.remove().catch(() => {})));
    await this.dbProxy.remove().catch(() => {});
    await this.#database.release();
  }
}
