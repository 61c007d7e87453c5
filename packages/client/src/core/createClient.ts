import { LandedError } from '../errors/LandedError.ts';
import type {
  Client,
  ClientEvents,
  ClientOptions,
  Summary,
  WriteHandle,
  WriteRequest,
} from '../types/client.ts';
import type { Entry, EntryState, LogRecord } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { ChannelMessage, Lease } from '../types/store.ts';
import { RetryBudget } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { Outbox } from './Outbox.ts';
import { Reporting } from './Reporting.ts';
import { alwaysOnline, realClock } from './runtime-defaults.ts';
import { Scheduler, type SchedulerSettings } from './Scheduler.ts';
import { validateOptions, validateWrite } from './validate.ts';

/**
 * Creates the client: an outbox in front of `fetch`. `write()` resolves once the entry is durably
 * persisted; its handle's `outcome` settles when the server confirmed it, refused it, or a person must
 * decide. See docs/client.md for every option and what a user sees in each failure.
 */
export function createClient(options: ClientOptions): Client {
  validateOptions(options);
  const clock = options.clock ?? realClock;
  const online = options.online ?? alwaysOnline;
  const settings: SchedulerSettings = {
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
    platformFetch: options.fetch === undefined,
    clock,
    timeoutMs: options.timeoutMs ?? 10_000,
    keyFormat: options.keyFormat ?? 'quoted',
    headers: options.headers,
    lookupPath: options.lookupPath === undefined ? '/idempotency' : options.lookupPath,
    backoffBaseMs: options.backoffBaseMs ?? 250,
    backoffCapMs: options.backoffCapMs ?? 30_000,
    attemptsPerFlush: options.attemptsPerFlush ?? 8,
    concurrency: options.concurrency ?? 64,
    adaptiveConcurrency: options.concurrencyControl !== 'fixed',
    retentionSec: options.retentionSec ?? 86_400,
    retentionMarginSec: options.retentionMarginSec,
    refreshAuth: options.refreshAuth,
    random: options.random ?? Math.random,
    online,
  };
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const keepConfirmedMs = options.keepConfirmedMs ?? 86_400_000;
  const budget = new RetryBudget(
    options.retryBudget?.capacity ?? 50,
    options.retryBudget?.refillPerSec ?? 5,
    clock,
  );
  const events = new Emitter<ClientEvents>();
  const channel = options.channel;

  let principal = options.principal;
  let leader = options.leadership === undefined;
  let lease: Lease | undefined;
  let closed = false;
  const changeWaiters = new Set<() => void>();
  const abort = new AbortController();
  const wakeWaiters = () => {
    if (changeWaiters.size > 0) for (const wake of [...changeWaiters]) wake();
  };
  // Set while taking in what another instance wrote: that is its news to tell, not ours.
  let adopting = false;

  const outbox = new Outbox(options.store, clock, events, (entry) => {
    // Every instance tells the others of its own changes, once the store has them (stores settle
    // commits in order): an instance that reads the entry on this notice finds the change. A queued
    // entry is one the leader must send: a new write, or one replayed in an instance that does not send.
    if (channel && !adopting) {
      const message: ChannelMessage = {
        type: entry.state === 'queued' ? 'written' : 'changed',
        id: entry.id,
      };
      void outbox.settled().then(() => channel.post(message));
    }
    if (entry.state === 'confirmed' && leader) maybePrune();
    wakeWaiters();
  });
  const adopt = (entry: Entry) => {
    adopting = true;
    try {
      outbox.adopt(entry);
    } finally {
      adopting = false;
    }
  };
  /** After entries left the store: out of every instance's view (they read the store on the notice). */
  const removed = (ids: readonly string[]) => {
    outbox.forget(ids);
    for (const id of ids) channel?.post({ type: 'changed', id });
    wakeWaiters();
  };
  const reporting = new Reporting(options.reporter, outbox, clock, options.uncertainReportAfterMs ?? 300_000);
  const sendable = (entry: Entry) => !entry.parked && entry.principal === principal;
  const sender = new Scheduler(
    outbox,
    settings,
    budget,
    reporting,
    () => leader && !closed && online.isOnline(),
    sendable,
  );

  async function takeOver(): Promise<void> {
    // A restart (or a new leader) finds entries that were on the wire: they may have applied.
    const found: Entry[] = [];
    for (const entry of outbox.entries.values()) if (entry.state === 'sending') found.push(entry);
    for (const entry of found) {
      await outbox.transition(
        entry,
        'uncertain',
        { uncertainSince: entry.uncertainSince ?? clock.now() },
        {
          durable: false,
          reason: 'found in sending after a restart: it may have applied',
        },
      );
    }
    await pruneConfirmed();
    reporting.catchUp(outbox.entries.values());
  }

  /** Removes confirmed entries older than `keepConfirmedMs` (their log goes with them). */
  let lastPrune = clock.now();
  let pruning = false;
  async function pruneConfirmed(): Promise<void> {
    lastPrune = clock.now();
    const cutoff = lastPrune - keepConfirmedMs;
    const old: string[] = [];
    for (const entry of outbox.entries.values())
      if (entry.state === 'confirmed' && entry.updatedAt < cutoff) old.push(entry.id);
    await outbox.remove(old).then(
      () => removed(old),
      () => {},
    );
  }
  /**
   * Called on each confirmation: a long-running process must not keep every confirmed entry until its
   * next restart. At most one pass per `keepConfirmedMs` (between 1 s and 1 min), off the write path.
   */
  function maybePrune(): void {
    if (pruning || closed || clock.now() - lastPrune < Math.max(1_000, Math.min(keepConfirmedMs, 60_000)))
      return;
    pruning = true;
    void pruneConfirmed().finally(() => {
      pruning = false;
    });
  }

  let isReady = false;
  const ready = (async () => {
    reporting.quarantined(await outbox.load());
    if (leader) await takeOver();
    isReady = true;
  })();
  ready.catch(() => {});

  if (options.leadership) {
    options.leadership
      .acquire(abort.signal)
      .then(async (acquired) => {
        if (closed) return acquired.release();
        lease = acquired;
        await ready.catch(() => {});
        // Whatever other instances wrote while we were following is in the store.
        const { entries, servers } = await outbox.store.load();
        for (const entry of entries) adopt(entry);
        outbox.servers.fill(servers, []);
        leader = true;
        await takeOver();
        sender.pump(true);
      })
      .catch(() => {});
  }

  const unsubscribers: Array<() => void> = [];
  unsubscribers.push(online.subscribe((isOnline) => isOnline && sender.pump(true)));
  if (options.focus) unsubscribers.push(options.focus.subscribe(() => sender.pump(true)));
  async function receive(message: ChannelMessage): Promise<void> {
    if (message.type === 'flush') {
      if (leader) sender.pump(true);
      return;
    }
    if (message.type === 'retry' || message.type === 'discard') {
      // Asked by an instance that does not send: the leader checks the entry against its own view.
      if (leader) await (message.type === 'retry' ? client.retryNow(message.id) : client.discard(message.id));
      return;
    }
    if (message.type === 'logout' || message.type === 'login') {
      if (!leader) return;
      if (message.type === 'logout') await leaveEntries(message.principal, message.mode);
      else {
        await unpark(message.principal);
        sender.pump(true);
      }
      return;
    }
    const entry = await outbox.store.getEntry(message.id);
    if (!entry) {
      // Gone from the store (discarded, purged, compacted): gone from this view too.
      if (outbox.entries.has(message.id)) {
        outbox.forget([message.id]);
        wakeWaiters();
      }
      return;
    }
    if (leader && message.type === 'written') {
      adopt(entry);
      sender.pump();
    } else if (!leader) {
      adopt(entry);
    }
  }
  if (channel) {
    // One message at a time, in the order posted: a notice read late never undoes a later one.
    let inbox = Promise.resolve();
    unsubscribers.push(
      channel.subscribe((message) => {
        inbox = inbox.then(() => receive(message)).catch(() => {});
      }),
    );
  }
  if (options.autoStart !== false)
    void ready.then(
      () => sender.pump(true),
      () => {},
    );

  function usable(): void {
    if (closed) throw new LandedError('CLIENT_CLOSED', 'the client was closed; create a new one to write');
  }

  function handleFor(entry: Entry): WriteHandle {
    return { id: entry.id, key: entry.key, outcome: outbox.outcome(entry.id) };
  }

  function mustGet(id: string): Entry {
    const entry = outbox.entries.get(id);
    if (!entry) throw new LandedError('ENTRY_NOT_FOUND', `no entry ${id} in this outbox`);
    return entry;
  }

  function unfinishedOf(who: string | undefined): Entry[] {
    const out: Entry[] = [];
    for (const entry of outbox.entries.values())
      if (entry.principal === who && !TERMINAL_STATES.has(entry.state)) out.push(entry);
    return out;
  }

  /** Parks (kept, not sent) or purges (deleted) a principal's unfinished entries. */
  async function leaveEntries(who: string | undefined, mode: 'park' | 'purge'): Promise<void> {
    const mine = unfinishedOf(who);
    if (mode === 'purge') {
      const ids = mine.map((e) => e.id);
      await outbox.remove(ids).then(() => removed(ids));
    } else {
      for (const entry of mine) {
        const current = outbox.entries.get(entry.id);
        if (current && !current.parked) await outbox.patch(current, { parked: true });
      }
    }
    // A lane waiting out one of their backoffs would hold back the writes behind it.
    for (const entry of mine) sender.wake(entry.id);
    sender.pump();
  }

  async function unpark(who: string | undefined): Promise<void> {
    const parked: string[] = [];
    for (const entry of outbox.entries.values())
      if (entry.parked && entry.principal === who) parked.push(entry.id);
    for (const id of parked) {
      const current = outbox.entries.get(id);
      if (current?.parked) await outbox.patch(current, { parked: undefined });
    }
  }

  function mayDiscard(entry: Entry): void {
    if (!TERMINAL_STATES.has(entry.state) && !entry.parked && entry.state !== 'queued') {
      throw new LandedError(
        'INVALID_STATE',
        `entry ${entry.id} is ${entry.state}: it may have applied; wait for its outcome or let it expire before discarding`,
      );
    }
  }

  async function write(request: WriteRequest): Promise<WriteHandle> {
    usable();
    const valid = validateWrite(request, options.baseUrl, maxBodyBytes);
    if (!isReady) await ready;
    const now = clock.now();
    const entry: Entry = {
      id: crypto.randomUUID(),
      key: crypto.randomUUID(),
      method: valid.method,
      url: valid.url,
      lane: valid.lane,
      seq: outbox.nextSeq(),
      state: 'queued',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (valid.body !== undefined) entry.body = valid.body;
    if (valid.headers !== undefined) entry.headers = valid.headers;
    if (valid.label !== undefined) entry.label = valid.label;
    if (principal !== undefined) entry.principal = principal;
    const log: LogRecord[] = [{ type: 'transition', at: now, entryId: entry.id, from: null, to: 'queued' }];
    // The common case — this instance sends and the lane is idle — persists the entry and its first
    // attempt in one commit, so the request leaves after one durable write instead of two.
    const direct = leader && sendable(entry) && sender.reserveDirect(entry);
    if (direct) {
      entry.state = 'sending';
      entry.attempts = 1;
      entry.firstSentAt = now;
      log.push({ type: 'transition', at: now, entryId: entry.id, from: 'queued', to: 'sending' });
    }
    try {
      await outbox.add(entry, log);
    } catch (error) {
      if (direct) sender.endDirect(entry, false);
      throw error;
    }
    if (direct) sender.endDirect(entry, true);
    else if (leader) sender.pump();
    return handleFor(entry);
  }

  const shortcut =
    (method: WriteRequest['method']) =>
    (url: string, body?: unknown, rest?: Omit<WriteRequest, 'method' | 'url' | 'body'>) =>
      write({ ...rest, method, url, ...(body === undefined ? {} : { body }) });

  function pending(): Entry[] {
    return [...outbox.entries.values()].filter((e) => !TERMINAL_STATES.has(e.state) && sendable(e));
  }

  function nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(done, timeoutMs);
      function done() {
        clock.clearTimeout(timer);
        changeWaiters.delete(done);
        resolve();
      }
      changeWaiters.add(done);
    });
  }

  const client: Client = {
    write,
    post: shortcut('POST'),
    put: shortcut('PUT'),
    patch: shortcut('PATCH'),
    delete: shortcut('DELETE'),
    async flush() {
      usable();
      await ready;
      if (!leader) {
        channel?.post({ type: 'flush' });
        return;
      }
      sender.pump(true);
      await sender.idle();
    },
    async drain({ timeoutMs = 60_000 } = {}) {
      await ready;
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        const left = pending().length;
        if (left === 0) return;
        const remaining = deadline - clock.now();
        if (remaining <= 0 || closed) {
          throw new LandedError(
            'INVALID_STATE',
            `drain(): ${left} write(s) still unresolved after ${timeoutMs} ms`,
          );
        }
        await nextChange(Math.min(remaining, 1000));
      }
    },
    list(filter) {
      const states = filter?.state === undefined ? undefined : new Set<EntryState>([filter.state].flat());
      return [...outbox.entries.values()]
        .filter((e) => !states || states.has(e.state))
        .sort((a, b) => a.seq - b.seq);
    },
    get: (id) => outbox.entries.get(id),
    log: (entryId) => outbox.store.readLog(entryId),
    async replay(id) {
      usable();
      await ready;
      const entry = mustGet(id);
      if (entry.state === 'sending')
        throw new LandedError('INVALID_STATE', `entry ${id} is being sent right now`);
      // Same key: the server replays its stored answer, or applies the write once if it never landed.
      // A person asked for it, so the retention window starts again from this attempt.
      const next = await outbox.transition(
        entry,
        'queued',
        {
          outcome: undefined,
          firstSentAt: undefined,
          nextAttemptAt: undefined,
          reported: undefined,
          uncertainSince: undefined,
          parked: undefined,
          unbelievedLookups: undefined,
        },
        { durable: true, reason: 'replayed by a person' },
      );
      const handle = handleFor(next);
      sender.pump();
      return handle;
    },
    async discard(id) {
      usable();
      await ready;
      const entry = mustGet(id);
      mayDiscard(entry);
      if (!leader && channel) {
        // The leader decides, against its own view (it may be sending the entry right now): ask it, then
        // wait for the entry to leave this view, or to show a state that cannot be discarded.
        channel.post({ type: 'discard', id });
        const deadline = clock.now() + 10_000;
        for (;;) {
          await nextChange(deadline - clock.now());
          const current = outbox.entries.get(id);
          if (!current) return;
          mayDiscard(current);
          if (clock.now() >= deadline)
            throw new LandedError(
              'INVALID_STATE',
              `entry ${id} was not discarded: the tab that sends did not answer; try again`,
            );
        }
      }
      // An attempt whose `sending` state is being persisted leaves as soon as it is: too late.
      if (sender.isStarting(id)) {
        throw new LandedError(
          'INVALID_STATE',
          `entry ${id} is being sent right now: it may apply; wait for its outcome or let it expire before discarding`,
        );
      }
      // Out of the view before the removal is written, so no attempt can start meanwhile; back in it
      // if the store refuses the removal.
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
      removed([id]);
    },
    async retryNow(id) {
      usable();
      await ready;
      const entry = mustGet(id);
      if (TERMINAL_STATES.has(entry.state))
        throw new LandedError('INVALID_STATE', `entry ${id} is ${entry.state}; use replay()`);
      // Only the leader sends: another instance passes the request on.
      if (!leader && channel) return channel.post({ type: 'retry', id });
      await outbox.patch(entry, { nextAttemptAt: undefined });
      sender.wake(id);
      sender.pump(true);
    },
    summary(): Summary {
      const counts = { queued: 0, sending: 0, uncertain: 0, confirmed: 0, rejected: 0, expired: 0 };
      let needsAttention = 0;
      for (const entry of outbox.entries.values()) {
        if (entry.principal !== principal) continue;
        counts[entry.state]++;
        if (
          entry.state === 'rejected' ||
          entry.state === 'expired' ||
          entry.reported?.includes('uncertain-too-long')
        )
          needsAttention++;
      }
      const waiting = counts.queued + counts.sending + counts.uncertain;
      const parts = [];
      if (waiting) parts.push(`${waiting} write${waiting === 1 ? '' : 's'} waiting`);
      if (needsAttention) parts.push(`${needsAttention} need${needsAttention === 1 ? 's' : ''} attention`);
      return {
        waiting,
        sending: counts.sending,
        uncertain: counts.uncertain,
        needsAttention,
        confirmed: counts.confirmed,
        rejected: counts.rejected,
        expired: counts.expired,
        online: online.isOnline(),
        leader,
        text: parts.length ? parts.join(', ') : 'All writes landed',
      };
    },
    servers: () => outbox.servers.list(),
    on: (event, listener) => events.on(event, listener),
    async setPrincipal(next) {
      await ready;
      principal = next;
      // The instance that sends unparks (its view is the one that may be sending); this one follows.
      if (!leader && channel)
        channel.post(next === undefined ? { type: 'login' } : { type: 'login', principal: next });
      else await unpark(next);
      sender.pump(true);
    },
    async logout(mode) {
      await ready;
      const who = principal;
      principal = undefined;
      if (!leader && channel) {
        // The sending instance parks or purges against its own view, which may be mid-attempt; this one
        // waits to see it done (and does it itself if nobody sends, so a logout never hangs).
        channel.post(who === undefined ? { type: 'logout', mode } : { type: 'logout', principal: who, mode });
        const deadline = clock.now() + 5_000;
        while (clock.now() < deadline) {
          const left = unfinishedOf(who).filter((e) => mode === 'purge' || !e.parked);
          if (left.length === 0) return;
          await nextChange(deadline - clock.now());
        }
      }
      await leaveEntries(who, mode);
    },
    async close() {
      if (closed) return;
      closed = true;
      abort.abort();
      sender.close();
      for (const unsubscribe of unsubscribers) unsubscribe();
      await ready.catch(() => {});
      await outbox.settled();
      await lease?.release().catch(() => {});
      await options.store.close();
    },
  };
  return client;
}
