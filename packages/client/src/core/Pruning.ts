import type { ClientContext } from './ClientContext.ts';

/**
 * Removes confirmed entries older than `keepConfirmedMs` (their log goes with them): at start-up, and
 * while running on confirmations, so a long-running process does not keep every confirmed entry until
 * its next restart.
 */
export class Pruning {
  readonly #context: ClientContext;
  #last: number;
  #running = false;

  constructor(context: ClientContext) {
    this.#context = context;
    this.#last = context.settings.clock.now();
    context.onConfirmed = () => this.maybe();
  }

  async prune(): Promise<void> {
    const { outbox, settings } = this.#context;
    this.#last = settings.clock.now();
    const cutoff = this.#last - settings.keepConfirmedMs;
    const old: string[] = [];
    for (const entry of outbox.entries.values())
      if (entry.state === 'confirmed' && entry.updatedAt < cutoff) old.push(entry.id);
    await outbox.remove(old).then(
      () => this.#context.removed(old),
      () => {},
    );
  }

  /** At most one pass per `keepConfirmedMs` (between 1 s and 1 min), off the write path. */
  maybe(): void {
    const { settings, closed } = this.#context;
    const every = Math.max(1_000, Math.min(settings.keepConfirmedMs, 60_000));
    if (this.#running || closed || settings.clock.now() - this.#last < every) return;
    this.#running = true;
    void this.prune().finally(() => {
      this.#running = false;
    });
  }
}
