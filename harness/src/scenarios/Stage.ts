/**
 * The stack one scenario runs on: the reference app (or the `--target` server) behind a fresh
 * Toxiproxy proxy, and — with PostgreSQL — a second proxy between the app and the database. Torn
 * down after the scenario so nothing leaks into the next one.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess } from '../app/AppProcess.ts';
import type { FaultSetting } from '../app/fault-switch.ts';
import { readPostgresLedger, readSqliteLedger } from '../app/ledger.ts';
import type { LedgerRow } from '../checker/history.ts';
import { CHAOS_DATABASE, type HeldDatabase, holdDatabase } from '../fleet/fleet-database.ts';
import { openFleetStage } from '../fleet/fleet-stage.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { ProxyControl } from '../toxiproxy/ProxyControl.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';

export interface StageOptions {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  /** Direct PostgreSQL connection string: the app then uses PostgreSQL through a proxy. */
  postgresUrl?: string | undefined;
  /** Someone else's server (the experiment's target, or `--target`). */
  target?: string | undefined;
  /** Effects are read from the ledger: a target must answer `GET /_chaos/ledger`. @default true */
  ledger?: boolean;
  /** With `postgresUrl`: this many reference apps on it behind HAProxy (see fleet/Fleet.ts). */
  fleet?: number | undefined;
  onAppCrash?: () => void;
  /** Told when another run holds the PostgreSQL database this one is about to use (it then waits). */
  onDatabaseWait?: ((database: string) => void) | undefined;
}

export interface Stage {
  /** Where clients send writes: through the app proxy. */
  readonly baseUrl: string;
  readonly appProxy: ProxyControl;
  readonly dbProxy: ProxyControl | undefined;
  /** The server's fault hooks, when it has them. */
  readonly server:
    | { setFault(setting: FaultSetting | undefined): Promise<void>; settled(): Promise<void> }
    | undefined;
  readonly dir: string;
  crashes(): number;
  /** The truth: the whole ledger, read directly (never through a proxy). */
  readLedger(): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

export async function openStage({
  toxiproxy,
  workDir,
  postgresUrl,
  target,
  ledger = true,
  onAppCrash,
  fleet,
  onDatabaseWait,
}: StageOptions): Promise<Stage> {
  if (fleet && postgresUrl && !target)
    return openFleetStage({ toxiproxy, workDir, postgresUrl, instances: fleet, onDatabaseWait });
  await toxiproxy.client.reset();
  const dir = mkdtempSync(join(workDir, 'scenario-'));
  if (target) return openTargetStage(toxiproxy, dir, target, ledger);

  let dbProxy: ProxyControl | undefined;
  let appDatabaseUrl: string | undefined;
  let held: HeldDatabase | undefined;
  let app: AppProcess | undefined;
  const sqlitePath = join(dir, 'app.sqlite');
  try {
    if (postgresUrl) {
      // Held until the scenario closes: another run on this server waits instead of emptying it.
      held = await holdDatabase(postgresUrl, CHAOS_DATABASE, onDatabaseWait);
      postgresUrl = held.url;
      const direct = new URL(postgresUrl);
      dbProxy = await ProxyControl.create(
        toxiproxy.client,
        'landed-db',
        `${direct.hostname}:${direct.port || 5432}`,
      );
      const proxied = new URL(postgresUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(dbProxy.port);
      appDatabaseUrl = proxied.toString();
    }
    const started = await AppProcess.start({
      ...(appDatabaseUrl ? { databaseUrl: appDatabaseUrl } : { sqlitePath }),
      onCrash: () => onAppCrash?.(),
    });
    app = started;
    const appProxy = await ProxyControl.create(toxiproxy.client, 'landed-app', `127.0.0.1:${started.port}`);
    const ledgerUrl = postgresUrl;
    return {
      baseUrl: `http://${appProxy.listen}`,
      appProxy,
      dbProxy,
      server: started,
      dir,
      crashes: () => started.crashes,
      readLedger: () => (ledgerUrl ? readPostgresLedger(ledgerUrl) : readSqliteLedger(sqlitePath)),
      async close() {
        await started.stop();
        await appProxy.remove().catch(() => {});
        await dbProxy?.remove().catch(() => {});
        await held?.release();
      },
    };
  } catch (error) {
    await app?.stop();
    await dbProxy?.remove().catch(() => {});
    await held?.release();
    throw error;
  }
}

async function openTargetStage(
  toxiproxy: ToxiproxyServer,
  dir: string,
  target: string,
  ledger: boolean,
): Promise<Stage> {
  const url = new URL(target);
  const origin = url.origin;
  const hooks = await fetch(`${origin}/_chaos/health`)
    .then((r) => r.ok)
    .catch(() => false);
  const readRows = async (): Promise<LedgerRow[]> => {
    const res = await fetch(`${origin}/_chaos/ledger`).catch((cause: unknown) => {
      throw new HarnessError(
        'TARGET_UNREACHABLE',
        `The target server does not answer GET ${origin}/_chaos/ledger: is it running?`,
        { cause },
      );
    });
    if (!res.ok)
      throw new HarnessError(
        'TARGET_UNREACHABLE',
        `GET ${origin}/_chaos/ledger answered ${res.status}: the target must expose its ledger for the Checker.`,
      );
    return ((await res.json()) as { rows: LedgerRow[] }).rows;
  };
  // The target keeps its database from one scenario (and run) to the next: only rows appended after
  // this point — the ledger's ids only grow — belong to this scenario.
  const before = ledger ? (await readRows()).reduce((max, row) => Math.max(max, row.id), 0) : 0;
  const appProxy = await ProxyControl.create(
    toxiproxy.client,
    'landed-app',
    `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`,
  );
  return {
    baseUrl: `http://${appProxy.listen}${url.pathname.replace(/\/$/, '')}`,
    appProxy,
    dbProxy: undefined,
    server: hooks
      ? {
          async setFault(setting) {
            await fetch(`${origin}/_chaos/fault`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ fault: setting ? `${setting.kind}@${setting.rate}` : null }),
            });
          },
          settled: async () => {},
        }
      : undefined,
    dir,
    crashes: () => 0,
    async readLedger() {
      return (await readRows()).filter((row) => row.id > before);
    },
    async close() {
      await appProxy.remove().catch(() => {});
    },
  };
}
