/**
 * A Landed client under test, in this process: every write goes through the outbox; the History gets
 * the enqueue once `write()` resolved (durably accepted), every attempt from the client's own event
 * log, and the final outcome from the handle.
 */
import {
  type Client,
  type ClientOptions,
  createClient,
  type Entry,
  type JsonValue,
  memoryStore,
  type OutboxStore,
} from '@landed/client';
import { principalOf } from '../checker/history.ts';
import { type ClientRunner, type Record, receiptOf, sleep } from './runner.ts';
import type { PlannedWrite } from './workload.ts';

export interface LandedRunnerOptions {
  instance: number;
  baseUrl: string;
  record: Record;
  fetch: typeof fetch;
  store?: OutboxStore;
  /** Overrides for the client (the harness's defaults suit second-long fault windows). */
  client?: Partial<ClientOptions>;
}

/**
 * Client settings for chaos runs: short timeouts and backoffs so a run heals in seconds, not minutes.
 * Concurrency is the library's own default (adaptive, up to 64 attempts at once), as an app gets it.
 */
export const CHAOS_CLIENT_DEFAULTS = {
  timeoutMs: 1_500,
  backoffBaseMs: 50,
  backoffCapMs: 800,
  retryBudget: { capacity: 200, refillPerSec: 50 },
} satisfies Partial<ClientOptions>;

export class LandedRunner implements ClientRunner {
  readonly kind = 'landed';
  readonly instance: number;
  readonly client: Client;
  readonly #record: Record;
  /** Accepted writes without a final answer yet, by write id (the entry label). */
  readonly #open = new Set<string>();
  readonly #settled = new Set<() => void>();

  constructor({ instance, baseUrl, record, fetch, store = memoryStore(), client }: LandedRunnerOptions) {
    this.instance = instance;
    this.#record = record;
    const principal = principalOf('landed', instance);
    this.client = createClient({
      ...CHAOS_CLIENT_DEFAULTS,
      ...client,
      store,
      baseUrl,
      fetch,
      principal,
      headers: () => ({ authorization: `Bearer ${principal}` }),
    });
    this.client.on('attempt', ({ entry, record: r }) => {
      if (r.type !== 'attempt' || r.kind === 'lookup' || !entry.label) return;
      this.#record({
        type: 'attempt',
        at: r.at,
        client: 'landed',
        writeId: entry.label,
        result: r.result,
        ...(r.status === undefined ? {} : { status: r.status }),
        ...(r.replayed ? { replayed: true } : {}),
      });
    });
    // Outcomes come from the client's events rather than handles, so entries a restarted process finds
    // in its outbox (no handle any more) are followed the same way.
    for (const event of ['confirmed', 'rejected', 'expired'] as const)
      this.client.on(event, (entry) => this.#verdict(entry));
  }

  #verdict(entry: Entry): void {
    const o = entry.outcome;
    if (!entry.label || !o) return;
    const receipt = receiptOf(o.body);
    this.#record({
      type: 'verdict',
      at: o.at,
      client: 'landed',
      writeId: entry.label,
      verdict: o.state,
      ...(o.status === undefined ? {} : { status: o.status }),
      ...(o.replayed ? { replayed: true } : {}),
      ...(receipt === undefined ? {} : { receipt }),
    });
    this.#open.delete(entry.label);
    if (this.#open.size === 0) for (const wake of this.#settled) wake();
  }

  /**
   * After a restart: announces every entry found in the outbox (the History may not have heard of
   * the last ones before the kill) and follows those still unresolved. Returns their write ids.
   */
  async adoptOutbox(): Promise<Set<string>> {
    await this.client.flush();
    const found = new Set<string>();
    for (const entry of this.client.list()) {
      if (!entry.label) continue;
      found.add(entry.label);
      this.#record({
        type: 'enqueue',
        at: entry.createdAt,
        client: 'landed',
        writeId: entry.label,
        key: entry.key,
        payload: entry.body === undefined ? null : (JSON.parse(entry.body) as JsonValue),
      });
      if (entry.outcome) this.#verdict(entry);
      else this.#open.add(entry.label);
    }
    return found;
  }

  async run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void> {
    const start = Date.now();
    const gap = writes.length > 1 ? spreadMs / writes.length : 0;
    for (const [i, w] of writes.entries()) {
      await sleep(start + i * gap - Date.now());
      const at = Date.now();
      this.#open.add(w.writeId);
      const handle = await this.client.write({
        method: w.method ?? 'POST',
        url: w.path,
        body: w.body,
        lane: w.lane,
        label: w.writeId,
      });
      this.#record({
        type: 'enqueue',
        at,
        client: 'landed',
        writeId: w.writeId,
        key: handle.key,
        payload: w.body,
      });
      // The event may have fired before the enqueue was recorded; the Checker accepts either order.
      const entry = this.client.get(handle.id);
      if (entry?.outcome) this.#verdict(entry);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    // The client's timers are unref'd (a pending retry never keeps an app alive). Here the run must
    // wait for them: with an outside Toxiproxy (TOXIPROXY_URL) and every write backing off, nothing
    // else holds the event loop, and Node would exit 0 in the middle of the drain.
    const hold = setInterval(() => {}, 1_000);
    try {
      await this.client.drain({ timeoutMs }).catch(() => {});
    } finally {
      clearInterval(hold);
    }
    if (this.#open.size > 0) {
      // Terminal events follow the state change by a tick.
      await new Promise<void>((resolve) => {
        const wake = () => resolve();
        this.#settled.add(wake);
        setTimeout(wake, 200);
      });
    }
    for (const writeId of this.#open)
      this.#record({ type: 'verdict', at: Date.now(), client: 'landed', writeId, verdict: 'unresolved' });
    this.#open.clear();
  }

  /** Write ids still without a final answer. */
  get open(): number {
    return this.#open.size;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
