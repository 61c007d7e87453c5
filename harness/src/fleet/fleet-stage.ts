/**
 * A fleet as the stage a matrix scenario runs on: the same client-side proxy, database proxy (shared
 * by every instance), fault hooks (set on every instance) and ledger as the single reference app's,
 * so every scenario of an experiment runs unchanged against N instances behind HAProxy.
 */
import type { Stage } from '../scenarios/Stage.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import { Fleet } from './Fleet.ts';

export async function openFleetStage(options: {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  postgresUrl: string;
  instances: number;
  onDatabaseWait?: ((database: string) => void) | undefined;
}): Promise<Stage> {
  const fleet = await Fleet.open(options);
  return {
    baseUrl: fleet.baseUrl,
    appProxy: fleet.appProxy,
    dbProxy: fleet.dbProxy,
    server: fleet.server,
    dir: fleet.dir,
    crashes: () => fleet.crashes(),
    readLedger: () => fleet.readLedger(),
    close: () => fleet.close(),
  };
}
