/**
 * The live progress on stderr: a redrawn bar on a terminal; in a CI log (stderr a file or a pipe) one
 * line per scenario, and inside a long scenario a line whenever the faults change and at most every
 * 10 s as answers arrive — writes answered out of planned, and the faults active (issue 12).
 */
export interface ProgressOptions {
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
  /** How often a CI log hears from a scenario whose faults did not change. */
  everyMs?: number;
}

export class Progress {
  readonly #tty: boolean;
  readonly #out: NodeJS.WritableStream;
  readonly #now: () => number;
  readonly #everyMs: number;
  #label = '';
  #name = '';
  #lastDraw = 0;
  #lastLine = 0;
  #lastFaults = '';

  constructor({ out = process.stderr, now = Date.now, everyMs = 10_000 }: ProgressOptions = {}) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
    this.#now = now;
    this.#everyMs = everyMs;
  }

  scenario(name: string, index: number, total: number): void {
    this.#label = `[${index + 1}/${total}] ${name}`;
    this.#name = name;
    this.#lastLine = this.#now();
    this.#lastFaults = '';
    if (!this.#tty) this.#out.write(`${this.#label} …\n`);
  }

  update(done: number, planned: number, faults: readonly string[] = []): void {
    const now = this.#now();
    const active = faults.join(', ');
    if (!this.#tty) {
      if (done >= planned) return;
      if (active === this.#lastFaults && now - this.#lastLine < this.#everyMs) return;
      this.#lastFaults = active;
      this.#lastLine = now;
      this.#out.write(`  ${this.#name}: ${done}/${planned} answered · faults: ${active || 'none'}\n`);
      return;
    }
    if (now - this.#lastDraw < 80 && done < planned) return;
    this.#lastDraw = now;
    const width = 24;
    const filled = planned === 0 ? 0 : Math.min(width, Math.round((done / planned) * width));
    const text = `${this.#label.padEnd(30)} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${planned}${active ? ` · ${active}` : ''}`;
    // Cut to the terminal, so the redraw stays on one line.
    const columns = (this.#out as { columns?: number }).columns ?? 100;
    this.#out.write(`\r${text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text}\x1b[K`);
  }

  line(text: string): void {
    if (this.#tty) this.#out.write('\r\x1b[K');
    this.#out.write(`${text}\n`);
  }
}
