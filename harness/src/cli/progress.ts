/**
 * The live progress line on stderr: a redrawn bar on a terminal, plain lines (one per scenario) when
 * stderr is a file or a CI log.
 */
export class Progress {
  readonly #tty: boolean;
  readonly #out: NodeJS.WriteStream;
  #label = '';
  #lastDraw = 0;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
  }

  scenario(name: string, index: number, total: number): void {
    this.#label = `[${index + 1}/${total}] ${name}`;
    if (!this.#tty) this.#out.write(`${this.#label} …\n`);
  }

  update(done: number, planned: number): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#lastDraw < 80 && done < planned) return;
    this.#lastDraw = now;
    const width = 30;
    const filled = planned === 0 ? 0 : Math.min(width, Math.round((done / planned) * width));
    this.#out.write(
      `\r${this.#label.padEnd(34)} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${planned} resolved\x1b[K`,
    );
  }

  line(text: string): void {
    if (this.#tty) this.#out.write('\r\x1b[K');
    this.#out.write(`${text}\n`);
  }
}
