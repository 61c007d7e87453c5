/**
 * The parent side of a client process: starts it, turns its `OP` lines into History ops, kills it
 * with SIGKILL when the Nemesis says so, and starts it again on the same outbox.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Op } from '../checker/history.ts';
import { killOnExit } from '../kill-on-exit.ts';
import type { ChildSpec } from './child-main.ts';
import type { Record } from './runner.ts';

const MAIN = join(import.meta.dirname, 'child-main.ts');

export class ChildClient {
  readonly spec: ChildSpec;
  readonly #record: Record;
  readonly #enqueued = new Set<string>();
  #child: ChildProcess | undefined;
  #exited: Promise<boolean> = Promise.resolve(false);
  #ready: Promise<void> = Promise.resolve();
  /** Writes this process accepted and has not answered yet: a kill now lands mid-write. */
  readonly #open = new Set<string>();
  readonly #onBusy = new Set<() => void>();
  kills = 0;

  constructor(spec: Omit<ChildSpec, 'skipFile'>, record: Record) {
    this.spec = spec;
    this.#record = record;
  }

  get label(): string {
    return `${this.spec.kind}#${this.spec.instance}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(): void {
    const skipFile = join(this.spec.dir, `skip-${this.kills}.txt`);
    writeFileSync(skipFile, [...this.#enqueued].join('\n'));
    const child = spawn(process.execPath, ['--conditions=landed-source', '--no-warnings', MAIN], {
      env: { ...process.env, LANDED_CHAOS_CHILD: JSON.stringify({ ...this.spec, skipFile }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    // What the process had in hand dies with it; a restarted Landed process announces its outbox again.
    this.#open.clear();
    killOnExit(child);
    let done = false;
    let ready!: () => void;
    this.#ready = new Promise<void>((resolve) => {
      ready = resolve;
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line === 'READY') ready();
      if (line === 'DONE') done = true;
      if (!line.startsWith('OP ')) return;
      const op = JSON.parse(line.slice(3)) as Op;
      if (op.type === 'enqueue') {
        this.#enqueued.add(op.writeId);
        this.#open.add(op.writeId);
        for (const wake of this.#onBusy) wake();
      } else if (op.type === 'verdict' && op.verdict !== 'unresolved') this.#open.delete(op.writeId);
      this.#record(op);
    });
    this.#exited = new Promise((resolve) =>
      child.once('close', () => {
        ready();
        resolve(done);
      }),
    );
  }

  /** Resolves once the process is set up and starts its workload (or has exited), at most after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.#ready,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Resolves once the process has a write in hand (accepted, not yet answered), or at `deadline`
   * (epoch ms) — so a kill lands mid-write rather than while the process is still starting.
   */
  async busy(deadline: number): Promise<void> {
    if (this.#open.size > 0 || !this.running) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#onBusy.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.#onBusy.add(wake);
    });
  }

  /** SIGKILL: no chance to flush, close or say goodbye. Returns false when it was not running. */
  async kill(): Promise<boolean> {
    if (!this.running) return false;
    this.kills++;
    this.#child?.kill('SIGKILL');
    await this.#exited;
    return true;
  }

  /** Starts the process again on the same outbox, unless it is already running. */
  async restart(): Promise<void> {
    if (!this.running) this.start();
  }

  /** Resolves true when the process finished its work (printed DONE), false when it died first. */
  finished(): Promise<boolean> {
    return this.#exited;
  }
}
