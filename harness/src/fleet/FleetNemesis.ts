/**
 * The Nemesis of a fleet: plays faults that hit one instance (a SIGKILL mid-handler, its database cut
 * or slowed, a server fault hook on it alone) while the others go on, records each in the History and
 * heals everything at the end.
 */
import type { Record } from '../clients/runner.ts';
import { sleep } from '../clients/runner.ts';
import { playSchedule } from '../scenarios/play-schedule.ts';
import type { Fleet, FleetInstance } from './Fleet.ts';
import { type FleetFault, type FleetStep, fleetFaultLabel } from './fleet-scenarios.ts';

/** How long past its window a kill waits for the instance to have a write in its handler. */
const KILL_GRACE_MS = 5_000;
/** How often the instance is asked whether a keyed write is inside its handler. */
const POLL_MS = 10;

export class FleetNemesis {
  readonly #fleet: Fleet;
  readonly #record: Record;
  kills = 0;

  constructor(fleet: Fleet, record: Record) {
    this.#fleet = fleet;
    this.#record = record;
  }

  async play(steps: readonly FleetStep[], windowMs: number): Promise<void> {
    await playSchedule(steps, windowMs, this.#record, fleetFaultLabel, (fault, until) =>
      this.#apply(fault, until),
    );
  }

  #instance(fault: FleetFault): FleetInstance {
    const all = this.#fleet.instances;
    return all[fault.instance % all.length] as FleetInstance;
  }

  async #apply(fault: FleetFault, until: number): Promise<() => Promise<void>> {
    const instance = this.#instance(fault);
    switch (fault.kind) {
      case 'instance-db-toxic': {
        const name = await instance.dbProxy.addToxic(fault.toxic);
        return () => instance.dbProxy.removeToxic(name);
      }
      case 'instance-db-down':
        await instance.dbProxy.disable();
        return () => instance.dbProxy.enable();
      case 'instance-server':
        await instance.app.setFault(fault.setting);
        return () => instance.app.setFault(undefined);
      case 'kill-instance': {
        // The kill is the event the scenario is about: it waits for a keyed write to be inside the
        // handler (key claimed, business transaction open), however long the machine takes to get one
        // there, and is skipped only when none arrives by the end of its window.
        const deadline = until + KILL_GRACE_MS;
        while (Date.now() < deadline) {
          if ((await instance.app.inHandler().catch(() => 0)) > 0) {
            await instance.app.kill();
            this.kills++;
            return async () => {};
          }
          await sleep(POLL_MS);
        }
        throw new Error(
          `${instance.name} had no write in its handler before ${new Date(deadline).toISOString()}`,
        );
      }
    }
  }

  async heal(): Promise<void> {
    await this.#fleet.appProxy.heal();
    await this.#fleet.dbProxy.heal();
    await Promise.all(this.#fleet.instances.map((i) => i.dbProxy.heal()));
    await this.#fleet.server.setFault(undefined).catch(() => {});
    await this.#fleet.server.settled();
  }
}
