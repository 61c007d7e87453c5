/**
 * The Nemesis: plays a fault schedule against the stack while the workload runs, records every fault
 * it starts and stops in the History, and heals everything at the end.
 */
import type { AppProcess } from '../app/AppProcess.ts';
import type { FaultSetting } from '../app/fault-switch.ts';
import type { ChildClient } from '../clients/ChildClient.ts';
import type { Record } from '../clients/runner.ts';
import type { ProxyControl } from '../toxiproxy/ProxyControl.ts';
import type { BrowserFaultTarget } from './browser-faults.ts';
import { type Fault, type FaultStep, faultLabel } from './faults.ts';
import { playSchedule } from './play-schedule.ts';

/** How long past its window a kill waits for a restarting process to have a write in hand. */
const KILL_GRACE_MS = 5_000;
/** How long a browser fault waits at most for a browser client to have a write on the wire. */
const BROWSER_BUSY_MS = 2_000;

export interface NemesisTargets {
  app: ProxyControl;
  db?: ProxyControl | undefined;
  /** Absent when the target server has no fault hooks. */
  server?: Pick<AppProcess, 'setFault'> | undefined;
  children?: readonly ChildClient[];
  /** The browser clients browser faults are played on. */
  browsers?: readonly BrowserFaultTarget[];
}

export class Nemesis {
  readonly #targets: NemesisTargets;
  readonly #record: Record;
  #serverFault: FaultSetting | undefined;

  constructor(targets: NemesisTargets, record: Record) {
    this.#targets = targets;
    this.#record = record;
  }

  /** Plays `steps` over `windowMs`; resolves when the last fault has stopped. */
  async play(steps: readonly FaultStep[], windowMs: number): Promise<void> {
    await playSchedule(steps, windowMs, this.#record, faultLabel, (fault, until) =>
      this.#apply(fault, until),
    );
  }

  async #apply(fault: Fault, until: number): Promise<() => Promise<void>> {
    const t = this.#targets;
    switch (fault.kind) {
      case 'toxic': {
        const proxy = fault.target === 'db' ? t.db : t.app;
        if (!proxy) throw new Error('no database proxy');
        const name = await proxy.addToxic(fault.toxic);
        return () => proxy.removeToxic(name);
      }
      case 'down': {
        const proxy = fault.target === 'db' ? t.db : t.app;
        if (!proxy) throw new Error('no database proxy');
        await proxy.disable();
        return () => proxy.enable();
      }
      case 'server': {
        const server = t.server;
        if (!server) throw new Error('the server has no fault hooks');
        this.#serverFault = fault.setting;
        await server.setFault(fault.setting);
        return async () => {
          // Overlapping server faults: the latest one set is the one in force; only it clears.
          if (this.#serverFault !== fault.setting) return;
          this.#serverFault = undefined;
          await server.setFault(undefined);
        };
      }
      case 'kill-clients': {
        // Each process is killed as soon as it has a write in hand (mid-write) — a process restarted
        // by an earlier kill may still be starting, so it gets a few seconds past the window — and is
        // started again when the window ends.
        const killed: ChildClient[] = [];
        await Promise.all(
          (t.children ?? [])
            .filter((c) => c.running)
            .map(async (c) => {
              await c.busy(until + KILL_GRACE_MS);
              if (await c.kill()) killed.push(c);
            }),
        );
        return async () => {
          for (const c of killed) await c.restart();
        };
      }
      case 'browser': {
        const browsers = t.browsers ?? [];
        if (browsers.length === 0)
          throw new Error('no client of this run runs in a browser (--client-kinds landed-browser)');
        // Each waits (briefly) for a write on the wire, so a tab goes down mid-flight.
        await Promise.all(
          browsers.map(async (b) => {
            await b.busy(Date.now() + BROWSER_BUSY_MS);
            await b.browserFault(fault, 'start');
          }),
        );
        return async () => {
          await Promise.all(browsers.map((b) => b.browserFault(fault, 'stop')));
        };
      }
    }
  }

  /** Removes every toxic, brings every proxy up and clears server faults. */
  async heal(): Promise<void> {
    await this.#targets.app.heal();
    await this.#targets.db?.heal();
    this.#serverFault = undefined;
    await this.#targets.server?.setFault(undefined).catch(() => {});
  }
}
