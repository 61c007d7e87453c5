import { LandedError } from '../errors/LandedError.ts';
import type { ClientEvents, ClientOptions } from '../types/client.ts';
import type { Entry } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { ChannelMessage, OutboxChannel } from '../types/store.ts';
import { RetryBudget } from './backoff.ts';
import { type ClientSettings, resolveSettings } from './client-settings.ts';
import { Emitter } from './emitter.ts';
import { Outbox } from './Outbox.ts';
import { Reporting } from './Reporting.ts';
import { Scheduler } from './Scheduler.ts';

/**
 * What the client's parts share: the outbox, the scheduler, the reporter, and the three facts that
 * change while the client runs (who is signed in, whether this instance sends, whether it is closed).
 * It owns no policy: the parts that hold one (`Coordinator`, `Principals`, `Pruning`, the `Client`
 * face) read and set these, and nothing else does.
 */
export class ClientContext {
  readonly options: ClientOptions;
  readonly settings: ClientSettings;
  readonly events = new Emitter<ClientEvents>();
  readonly channel: OutboxChannel | undefined;
  readonly outbox: Outbox;
  readonly reporting: Reporting;
  readonly scheduler: Scheduler;
  principal: string | undefined;
  /** Without a leadership contract this instance always sends. */
  leader: boolean;
  closed = false;
  /** Told of each confirmation while this instance sends (pruning hooks in here). */
  onConfirmed: () => void = () => {};
  readonly #changeWaiters = new Set<() => void>();
  /** `client.subscribe()` listeners: told of every change to the view, like the waiters. */
  readonly #subscribers = new Set<() => void>();
  /** Set while taking in what another instance wrote: that is its news to tell, not ours. */
  #adopting = false;

  constructor(options: ClientOptions) {
    this.options = options;
    const settings = resolveSettings(options);
    this.settings = settings;
    this.channel = options.channel;
    this.principal = options.principal;
    this.leader = options.leadership === undefined;
    const { clock, online } = settings;
    this.outbox = new Outbox(options.store, clock, this.events, (entry) => this.#changed(entry));
    const { observer } = options;
    if (observer?.transition) this.events.on('transition', (transition) => observer.transition?.(transition));
    if (observer?.removed) this.outbox.onForget = (ids) => observer.removed?.(ids);
    this.reporting = new Reporting(options.reporter, this.outbox, clock, settings.uncertainReportAfterMs);
    const budget = new RetryBudget(settings.retryBudget.capacity, settings.retryBudget.refillPerSec, clock);
    this.scheduler = new Scheduler(
      this.outbox,
      settings.scheduler,
      budget,
      this.reporting,
      () => this.leader && !this.closed && online.isOnline(),
      this.sendable,
    );
  }

  /** Whether this instance may send `entry`: not parked, and written under the current principal. */
  readonly sendable = (entry: Entry): boolean => !entry.parked && entry.principal === this.principal;

  #changed(entry: Entry): void {
    // Every instance tells the others of its own changes, once the store has them (stores settle
    // commits in order): an instance that reads the entry on this notice finds the change. A queued
    // entry is one the leader must send: a new write, or one replayed in an instance that does not send.
    const channel = this.channel;
    if (channel && !this.#adopting) {
      const message: ChannelMessage = {
        type: entry.state === 'queued' ? 'written' : 'changed',
        id: entry.id,
      };
      void this.outbox.settled().then(() => channel.post(message));
    }
    if (entry.state === 'confirmed' && this.leader) this.onConfirmed();
    this.wakeWaiters();
  }

  /** Takes in an entry another instance wrote, without announcing it as this instance's news. */
  adopt(entry: Entry): void {
    this.#adopting = true;
    try {
      this.outbox.adopt(entry);
    } finally {
      this.#adopting = false;
    }
    // A change that is not a change of state (parked by the sending tab) is not announced, yet a
    // logout here waits for exactly that: without this it waited out its whole 5 s every time.
    this.wakeWaiters();
  }

  /** After entries left the store: out of every instance's view (they read the store on the notice). */
  removed(ids: readonly string[]): void {
    this.outbox.forget(ids);
    for (const id of ids) this.channel?.post({ type: 'changed', id });
    this.wakeWaiters();
  }

  /** Tells whoever waits for (`nextChange`) or subscribed to (`subscribe`) a change of the view. */
  wakeWaiters(): void {
    if (this.#changeWaiters.size > 0) for (const wake of [...this.#changeWaiters]) wake();
    for (const listener of [...this.#subscribers]) {
      try {
        listener();
      } catch {
        // An app's listener failing must not stop the outbox.
      }
    }
  }

  subscribe(listener: () => void): () => void {
    const own = () => listener();
    this.#subscribers.add(own);
    return () => this.#subscribers.delete(own);
  }

  /** Resolves on the next change to the outbox's view, or after `timeoutMs`. */
  nextChange(timeoutMs: number): Promise<void> {
    const { clock } = this.settings;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(done, timeoutMs);
      const waiters = this.#changeWaiters;
      function done() {
        clock.clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  usable(): void {
    if (this.closed)
      throw new LandedError('CLIENT_CLOSED', 'the client was closed; create a new one to write');
  }

  mustGet(id: string): Entry {
    const entry = this.outbox.entries.get(id);
    if (!entry) throw new LandedError('ENTRY_NOT_FOUND', `no entry ${id} in this outbox`);
    return entry;
  }

  /** A principal's entries that have no final outcome yet. */
  unfinishedOf(who: string | undefined): Entry[] {
    const out: Entry[] = [];
    for (const entry of this.outbox.entries.values())
      if (entry.principal === who && !TERMINAL_STATES.has(entry.state)) out.push(entry);
    return out;
  }

  /** The current principal's entries that are not final yet, and that this instance may send. */
  pending(): Entry[] {
    return [...this.outbox.entries.values()].filter((e) => !TERMINAL_STATES.has(e.state) && this.sendable(e));
  }
}
