/**
 * The reference app as a child process the harness owns: started, restarted on the same port after it
 * dies (the crash-after-commit fault makes it exit right after a commit), told which fault to inject,
 * and stopped at the end of a scenario.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killOnExit } from '../kill-on-exit.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { type FaultSetting, formatFaultSetting } from './fault-switch.ts';

export interface AppProcessOptions {
  sqlitePath?: string;
  /** The app's own connection string (through the database proxy when one is in place). */
  databaseUrl?: string;
  /** The most PostgreSQL connections the app opens; else `LANDED_APP_PG_POOL_MAX` if set, else the store's 10. */
  pgPoolMax?: number | undefined;
  /** Called each time the app exits on its own (before the restart). */
  onCrash?: (code: number | null) => void;
}

const MAIN = join(import.meta.dirname, 'main.ts');

export class AppProcess {
  #child: ChildProcess | undefined;
  #port = 0;
  #fault: FaultSetting | undefined;
  #stopping = false;
  #restarting: Promise<void> | undefined;
  crashes = 0;
  readonly #options: AppProcessOptions;

  private constructor(options: AppProcessOptions) {
    this.#options = options;
  }

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const app = new AppProcess(options);
    await app.#spawn();
    return app;
  }

  get port(): number {
    return this.#port;
  }

  /** The process id of the app running now. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Where the harness talks to the app directly: control calls and nothing else. */
  get directUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async setFault(setting: FaultSetting | undefined): Promise<void> {
    this.#fault = setting;
    await this.#restarting;
    const res = await fetch(`${this.directUrl}/_chaos/fault`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: setting ? formatFaultSetting(setting) : null }),
    });
    if (!res.ok)
      throw new HarnessError(
        'APP_START_FAILED',
        `The reference app refused the fault ${JSON.stringify(setting)}: ${res.status} ${await res.text()}`,
      );
  }

  /** Resolves once no restart is pending (the app is up). */
  async settled(): Promise<void> {
    while (this.#restarting) await this.#restarting;
  }

  /**
   * SIGKILLs the app, as an instance of a fleet dies mid-handler; like any crash it is counted and
   * started again on the same port. Resolves once it is back up.
   */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    await this.settled();
  }

  /** Keyed writes inside the handler right now: their key is claimed and their transaction open. */
  async inHandler(): Promise<number> {
    const res = await fetch(`${this.directUrl}/_chaos/health`);
    return ((await res.json()) as { inHandler?: number }).inHandler ?? 0;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#restarting?.catch(() => {});
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  }

  #spawn(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LANDED_FAULTS: '1',
      LANDED_APP_PORT: String(this.#port),
    };
    delete env.LANDED_APP_DATABASE_URL;
    if (this.#options.databaseUrl) env.LANDED_APP_DATABASE_URL = this.#options.databaseUrl;
    if (this.#options.pgPoolMax !== undefined) env.LANDED_APP_PG_POOL_MAX = String(this.#options.pgPoolMax);
    if (this.#options.sqlitePath) env.LANDED_APP_SQLITE = this.#options.sqlitePath;
    if (this.#fault) env.LANDED_CHAOS_FAULT = formatFaultSetting(this.#fault);
    else delete env.LANDED_CHAOS_FAULT;
    const child = spawn(process.execPath, ['--conditions=landed-source', '--no-warnings', MAIN], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-2_000);
    });
    killOnExit(child);
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new HarnessError(
            'APP_START_FAILED',
            `The reference app did not start within 15 s: ${stderr.trim().slice(-600)}`,
          ),
        );
      }, 15_000);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const m = /^LANDED_APP_READY (\d+)$/.exec(line);
        if (!m) return;
        this.#port = Number(m[1]);
        ready = true;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (!ready) {
          reject(
            new HarnessError(
              'APP_START_FAILED',
              `The reference app exited with ${code} before listening: ${stderr.trim().slice(-600)}`,
            ),
          );
          return;
        }
        if (this.#stopping) return;
        // Died on its own (exit-after-commit): count it and bring it back on the same port, as an
        // orchestrator would.
        this.crashes++;
        this.#options.onCrash?.(code);
        this.#restarting = this.#restart().finally(() => {
          this.#restarting = undefined;
        });
      });
    });
  }

  async #restart(): Promise<void> {
    for (let i = 0; i < 20 && !this.#stopping; i++) {
      try {
        await this.#spawn();
        return;
      } catch {
        // The port may still be held for a moment by the dead process: try again shortly.
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
