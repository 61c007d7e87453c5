import { LandedError } from '../errors/LandedError.ts';
import type { Entry } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { ClientContext } from './ClientContext.ts';

/** Only what cannot have applied, or is final, or is parked may be discarded: a person's "Discard". */
function mayDiscard(entry: Entry): void {
  if (!TERMINAL_STATES.has(entry.state) && !entry.parked && entry.state !== 'queued') {
    throw new LandedError(
      'INVALID_STATE',
      `entry ${entry.id} is ${entry.state}: it may have applied; wait for its outcome or let it expire before discarding`,
    );
  }
}

/** Removes an entry a person gave up on, so that it is never sent, in whichever instance it is asked. */
export async function discardEntry(context: ClientContext, id: string): Promise<void> {
  const { outbox, scheduler, channel, settings } = context;
  const entry = context.mustGet(id);
  mayDiscard(entry);
  if (!context.leader && channel) {
    // The leader decides, against its own view (it may be sending the entry right now): ask it, then
    // wait for the entry to leave this view, or to show a state that cannot be discarded.
    channel.post({ type: 'discard', id });
    const deadline = settings.clock.now() + 10_000;
    for (;;) {
      await context.nextChange(deadline - settings.clock.now());
      const current = outbox.entries.get(id);
      if (!current) return;
      mayDiscard(current);
      if (settings.clock.now() >= deadline)
        throw new LandedError(
          'INVALID_STATE',
          `entry ${id} was not discarded: the tab that sends did not answer; try again`,
        );
    }
  }
  // An attempt whose `sending` state is being persisted leaves as soon as it is: too late.
  if (scheduler.isStarting(id)) {
    throw new LandedError(
      'INVALID_STATE',
      `entry ${id} is being sent right now: it may apply; wait for its outcome or let it expire before discarding`,
    );
  }
  // Out of the view before the removal is written, so no attempt can start meanwhile; back in it if
  // the store refuses the removal.
  outbox.entries.delete(id);
  try {
    await outbox.commit({
      remove: [id],
      log: [outbox.transitionRecord(entry, entry.state, 'discarded by a person')],
    });
  } catch (error) {
    if (!outbox.entries.has(id)) outbox.entries.set(id, entry);
    throw error;
  }
  context.removed([id]);
}
