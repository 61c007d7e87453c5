import type { ClientContext } from './ClientContext.ts';

/**
 * Who the entries belong to. Entries carry the principal they were written under and are never sent
 * under another: a logout parks them (kept, not sent) or purges them, a sign-in unparks that
 * principal's. In an instance that does not send, the sending instance does it against its own view,
 * which is the one that may be mid-attempt.
 */
export class Principals {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /** Parks (kept, not sent) or purges (deleted) a principal's unfinished entries. */
  async leave(who: string | undefined, mode: 'park' | 'purge'): Promise<void> {
    const { outbox, scheduler } = this.#context;
    const mine = this.#context.unfinishedOf(who);
    if (mode === 'purge') {
      const ids = mine.map((e) => e.id);
      await outbox.remove(ids).then(() => this.#context.removed(ids));
    } else {
      for (const entry of mine) {
        const current = outbox.entries.get(entry.id);
        if (current && !current.parked) await outbox.patch(current, { parked: true });
      }
    }
    // A lane waiting out one of their backoffs would hold back the writes behind it.
    for (const entry of mine) scheduler.wake(entry.id);
    scheduler.pump();
  }

  async unpark(who: string | undefined): Promise<void> {
    const { outbox } = this.#context;
    const parked: string[] = [];
    for (const entry of outbox.entries.values())
      if (entry.parked && entry.principal === who) parked.push(entry.id);
    for (const id of parked) {
      const current = outbox.entries.get(id);
      if (current?.parked) await outbox.patch(current, { parked: undefined });
    }
  }

  async signIn(next: string | undefined): Promise<void> {
    const context = this.#context;
    context.principal = next;
    context.wakeWaiters();
    // The instance that sends unparks (its view is the one that may be sending); this one follows.
    if (!context.leader && context.channel)
      context.channel.post(next === undefined ? { type: 'login' } : { type: 'login', principal: next });
    else await this.unpark(next);
    context.scheduler.pump(true);
  }

  async logout(mode: 'park' | 'purge'): Promise<void> {
    const context = this.#context;
    const who = context.principal;
    context.principal = undefined;
    context.wakeWaiters();
    if (!context.leader && context.channel) {
      // The sending instance parks or purges against its own view, which may be mid-attempt; this one
      // waits to see it done (and does it itself if nobody sends, so a logout never hangs).
      context.channel.post(
        who === undefined ? { type: 'logout', mode } : { type: 'logout', principal: who, mode },
      );
      const { clock } = context.settings;
      const deadline = clock.now() + 5_000;
      while (clock.now() < deadline) {
        const left = context.unfinishedOf(who).filter((e) => mode === 'purge' || !e.parked);
        if (left.length === 0) return;
        await context.nextChange(deadline - clock.now());
      }
    }
    await this.leave(who, mode);
  }
}
