import type { Entry } from '../types/entry.ts';
import type { ChannelMessage, Lease } from '../types/store.ts';
import type { ClientContext } from './ClientContext.ts';
import type { Principals } from './Principals.ts';
import type { Pruning } from './Pruning.ts';

/** What the sending instance does when another instance asks (it checks against its own view). */
export interface LeaderActions {
  retryNow(id: string): Promise<void>;
  discard(id: string): Promise<void>;
}

/**
 * Start-up, and which instance sends. One instance per outbox sends (a lock file in Node, Web Locks in
 * the browser); the others persist their writes and tell it through the channel. Whoever becomes the
 * sender — at start-up or when the previous one goes — takes over what was on the wire, and every
 * flush trigger (start-up, online, focus, a notice from another instance) reaches the scheduler here.
 */
export class Coordinator {
  readonly #context: ClientContext;
  readonly #pruning: Pruning;
  readonly #principals: Principals;
  readonly #actions: LeaderActions;
  readonly #abort = new AbortController();
  readonly #unsubscribers: Array<() => void> = [];
  #lease: Lease | undefined;
  /** Settles once the store is loaded (and, when this instance sends, taken over). */
  readonly ready: Promise<void>;
  isReady = false;

  constructor(context: ClientContext, pruning: Pruning, principals: Principals, actions: LeaderActions) {
    this.#context = context;
    this.#pruning = pruning;
    this.#principals = principals;
    this.#actions = actions;
    const { outbox, reporting } = context;
    this.ready = (async () => {
      reporting.quarantined(await outbox.load());
      if (context.leader) await this.#takeOver();
      else this.#announceWaiting();
      this.isReady = true;
      context.wakeWaiters();
    })();
    this.ready.catch(() => {});
    this.#lead();
    this.#listen();
    if (context.options.autoStart !== false)
      void this.ready.then(
        () => context.scheduler.pump(true),
        () => {},
      );
  }

  /**
   * An instance that does not send tells the one that does of every write waiting in the store: a tab
   * that died between committing a write and posting its notice left one the sender never heard of.
   */
  #announceWaiting(): void {
    const { outbox, channel } = this.#context;
    if (!channel) return;
    for (const entry of outbox.entries.values())
      if (entry.state === 'queued') channel.post({ type: 'written', id: entry.id });
  }

  /** A restart (or a new leader) finds entries that were on the wire: they may have applied. */
  async #takeOver(): Promise<void> {
    const { outbox, reporting, settings } = this.#context;
    const found: Entry[] = [];
    for (const entry of outbox.entries.values()) if (entry.state === 'sending') found.push(entry);
    for (const entry of found) {
      await outbox.transition(
        entry,
        'uncertain',
        { uncertainSince: entry.uncertainSince ?? settings.clock.now() },
        {
          durable: false,
          reason: 'found in sending after a restart: it may have applied',
        },
      );
    }
    await this.#pruning.prune();
    reporting.catchUp(outbox.entries.values());
  }

  #lead(): void {
    const context = this.#context;
    const leadership = context.options.leadership;
    if (!leadership) return;
    leadership
      .acquire(this.#abort.signal)
      .then(async (acquired) => {
        if (context.closed) return acquired.release();
        this.#lease = acquired;
        await this.ready.catch(() => {});
        // Whatever other instances wrote while we were following is in the store.
        const { entries, servers } = await context.outbox.store.load();
        for (const entry of entries) context.adopt(entry);
        context.outbox.servers.fill(servers, []);
        context.leader = true;
        context.wakeWaiters();
        await this.#takeOver();
        context.scheduler.pump(true);
      })
      .catch(() => {});
  }

  #listen(): void {
    const { settings, options, scheduler, channel } = this.#context;
    this.#unsubscribers.push(
      settings.online.subscribe((isOnline) => {
        this.#context.wakeWaiters();
        if (isOnline) scheduler.pump(true);
      }),
    );
    if (options.focus) this.#unsubscribers.push(options.focus.subscribe(() => scheduler.pump(true)));
    if (channel) {
      // One message at a time, in the order posted: a notice read late never undoes a later one.
      let inbox = Promise.resolve();
      this.#unsubscribers.push(
        channel.subscribe((message) => {
          inbox = inbox.then(() => this.#receive(message)).catch(() => {});
        }),
      );
    }
  }

  async #receive(message: ChannelMessage): Promise<void> {
    const context = this.#context;
    const { outbox, scheduler } = context;
    if (message.type === 'flush') {
      if (context.leader) scheduler.pump(true);
      return;
    }
    if (message.type === 'retry' || message.type === 'discard') {
      // Asked by an instance that does not send: the leader checks the entry against its own view.
      if (context.leader)
        await (message.type === 'retry'
          ? this.#actions.retryNow(message.id)
          : this.#actions.discard(message.id));
      return;
    }
    if (message.type === 'logout' || message.type === 'login') {
      if (!context.leader) return;
      if (message.type === 'logout') await this.#principals.leave(message.principal, message.mode);
      else {
        await this.#principals.unpark(message.principal);
        scheduler.pump(true);
      }
      return;
    }
    if (context.leader && message.type === 'written' && outbox.entries.get(message.id)?.state === 'queued') {
      // Already waiting in this view (a tab that opens names every queued write, these too): no read.
      scheduler.pump();
      return;
    }
    const entry = await outbox.store.getEntry(message.id);
    if (!entry) {
      // Gone from the store (discarded, purged, compacted): gone from this view too.
      if (outbox.entries.has(message.id)) {
        outbox.forget([message.id]);
        context.wakeWaiters();
      }
      return;
    }
    if (context.leader && message.type === 'written') {
      context.adopt(entry);
      scheduler.pump();
    } else if (!context.leader) {
      context.adopt(entry);
    }
  }

  /** Stops listening and lets go of leadership once every commit already issued is in. */
  async close(): Promise<void> {
    const { scheduler, outbox } = this.#context;
    this.#abort.abort();
    scheduler.close();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    await this.ready.catch(() => {});
    await outbox.settled();
    await this.#lease?.release().catch(() => {});
  }
}
