import { LandedError } from '../errors/LandedError.ts';
import type { Client, ClientOptions, WriteHandle, WriteRequest } from '../types/client.ts';
import type { Entry, EntryState, LogRecord } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import { ClientContext } from './ClientContext.ts';
import { Coordinator } from './Coordinator.ts';
import { discardEntry } from './discard.ts';
import { observeStamp } from './observe.ts';
import { Principals } from './Principals.ts';
import { Pruning } from './Pruning.ts';
import { generateKey } from './protocol.ts';
import { summarize } from './summary.ts';
import { validateOptions, validateWrite } from './validate.ts';

/**
 * Creates the client: an outbox in front of `fetch`. `write()` resolves once the entry is durably
 * persisted; its handle's `outcome` settles when the server confirmed it, refused it, or a person must
 * decide. See docs/client.md for every option and what a user sees in each failure.
 *
 * This is the public face only: it validates, delegates and hands out handles. Scheduling is the
 * `Scheduler`'s, what one attempt does is `Delivery`'s, reconciliation the `Reconciler`'s, start-up and
 * leadership the `Coordinator`'s, principals `Principals`' (docs/design-notes.md has the map).
 */
export function createClient(options: ClientOptions): Client {
  validateOptions(options);
  const context = new ClientContext(options);
  const { outbox, scheduler, settings, events, channel } = context;
  const { clock } = settings;
  const principals = new Principals(context);
  const pruning = new Pruning(context);
  const coordinator = new Coordinator(context, pruning, principals, {
    retryNow: (id) => client.retryNow(id),
    discard: (id) => client.discard(id),
  });
  const { ready } = coordinator;

  const handleFor = (entry: Entry): WriteHandle => ({
    id: entry.id,
    key: entry.key,
    outcome: outbox.outcome(entry.id),
  });

  async function write(request: WriteRequest): Promise<WriteHandle> {
    context.usable();
    const valid = validateWrite(request, options.baseUrl, settings.maxBodyBytes);
    if (!coordinator.isReady) await ready;
    const now = clock.now();
    const entry: Entry = {
      id: generateKey(),
      key: generateKey(),
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
    if (context.principal !== undefined) entry.principal = context.principal;
    const trace = options.observer?.stamp && observeStamp(options.observer);
    if (trace) entry.trace = trace;
    const log: LogRecord[] = [{ type: 'transition', at: now, entryId: entry.id, from: null, to: 'queued' }];
    // A write back to back with another is taken first and sent when the burst ends (`burst.ts`).
    const held = scheduler.burst.begin();
    // The common case — this instance sends and the lane is idle — persists the entry and its first
    // attempt in one commit, so the request leaves after one durable write instead of two.
    const direct = !held && context.leader && context.sendable(entry) && scheduler.reserveDirect(entry);
    if (direct) {
      entry.state = 'sending';
      entry.attempts = 1;
      entry.firstSentAt = now;
      log.push({ type: 'transition', at: now, entryId: entry.id, from: 'queued', to: 'sending' });
    }
    const adding = outbox.add(entry, log);
    // Its request is built while the commit is written (after the store has started it); it leaves
    // once the commit is done.
    if (direct) queueMicrotask(() => scheduler.prepareDirect(entry));
    try {
      await adding;
    } catch (error) {
      if (direct) scheduler.endDirect(entry, false);
      throw error;
    } finally {
      scheduler.burst.end();
    }
    if (direct) scheduler.endDirect(entry, true);
    else if (context.leader) scheduler.pump();
    return handleFor(entry);
  }

  const shortcut =
    (method: WriteRequest['method']) =>
    (url: string, body?: unknown, rest?: Omit<WriteRequest, 'method' | 'url' | 'body'>) =>
      write({ ...rest, method, url, ...(body === undefined ? {} : { body }) });

  const client: Client = {
    write,
    post: shortcut('POST'),
    put: shortcut('PUT'),
    patch: shortcut('PATCH'),
    delete: shortcut('DELETE'),
    async flush() {
      context.usable();
      await ready;
      if (!context.leader) {
        channel?.post({ type: 'flush' });
        return;
      }
      scheduler.pump(true);
      await scheduler.idle();
    },
    async drain({ timeoutMs = 60_000 } = {}) {
      await ready;
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        const left = context.pending().length;
        if (left === 0) return;
        const remaining = deadline - clock.now();
        if (remaining <= 0 || context.closed) {
          throw new LandedError(
            'INVALID_STATE',
            `drain(): ${left} write(s) still unresolved after ${timeoutMs} ms`,
          );
        }
        await context.nextChange(Math.min(remaining, 1000));
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
      context.usable();
      await ready;
      const entry = context.mustGet(id);
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
      scheduler.pump();
      return handle;
    },
    async discard(id) {
      context.usable();
      await ready;
      await discardEntry(context, id);
    },
    async retryNow(id) {
      context.usable();
      await ready;
      const entry = context.mustGet(id);
      if (TERMINAL_STATES.has(entry.state))
        throw new LandedError('INVALID_STATE', `entry ${id} is ${entry.state}; use replay()`);
      // Only the leader sends: another instance passes the request on.
      if (!context.leader && channel) return channel.post({ type: 'retry', id });
      await outbox.patch(entry, { nextAttemptAt: undefined });
      scheduler.wake(id);
      scheduler.pump(true);
    },
    summary: () => summarize(context),
    servers: () => outbox.servers.list(),
    on: (event, listener) => events.on(event, listener),
    subscribe: (listener) => context.subscribe(listener),
    async setPrincipal(next) {
      await ready;
      await principals.signIn(next);
    },
    async logout(mode) {
      await ready;
      await principals.logout(mode);
    },
    async close() {
      if (context.closed) return;
      context.closed = true;
      await coordinator.close();
      await options.store.close();
    },
  };
  return client;
}
