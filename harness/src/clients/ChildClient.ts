/**
 * The parent side of a client process: starts it, turns its `OP` lines into History ops, kills it
 * with SIGKILL when the Nemesis says so, and starts it again on the same outbox.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Op } from '../checker/history.ts';
import type { ChildSpec } from './child-main.ts';
import type { Record } from './runner.ts';

const MAIN = join(import.meta.dirname, 'child-main.ts');

export class ChildClient {
  readonly spec: ChildSpec;
  readonly #record: Record;
  readonly #enqueued = new Set<string>();
  #child: ChildProcess | undefined;
  #exited: Promise<boolean> = Promise.resolve(false);
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
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let done = false;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line === 'DONE') done = true;
      if (!line.startsWith('OP ')) return;
      const op = JSON.parse(line.slice(3)) as Op;
      if (op.type === 'enqueue') this.#enqueued.add(op.writeId);
      this.#record(op);
    });
    this.#exited = new Promise((resolve) =>
      child.once('close', () => {
        process.off('exit', killOnExit);
        resolve(done);
      }),
    );
  }

  /** SIGKILL: no chance to flush, close or say goodbye. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.kills++;
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  async restart(): Promise<void> {
    this.start();
  }

  /** Resolves true when the process finished its work (printed DONE), false when it died first. */
  finished(): Promise<boolean> {
    return this.#exited;
  }
}
