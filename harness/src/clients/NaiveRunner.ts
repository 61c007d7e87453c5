/**
 * The naive client: what many apps ship. ky with its own retry off and p-retry around it — retries on
 * 5xx and network errors, no idempotency key, no outbox. After its retries it tells the app the write
 * failed (`rejected`); killed, it forgets what it was doing. It meets the same workload and faults as
 * Landed so the report can show the difference.
 */
import ky, { HTTPError } from 'ky';
import pRetry, { AbortError } from 'p-retry';
import { principalOf } from '../checker/history.ts';
import { type ClientRunner, type Record, receiptOf, sleep, within } from './runner.ts';
import { byLane, type PlannedWrite } from './workload.ts';

export interface NaiveRunnerOptions {
  instance: number;
  baseUrl: string;
  record: Record;
  fetch: typeof fetch;
  /** @default 4 */
  retries?: number;
  /** Per-attempt timeout, the same as Landed's. @default 1500 */
  timeoutMs?: number;
}

export class NaiveRunner implements ClientRunner {
  readonly kind = 'naive';
  readonly instance: number;
  readonly #record: Record;
  readonly #http: typeof ky;
  readonly #retries: number;
  readonly #lanes: Promise<void>[] = [];
  readonly #open = new Set<string>();

  constructor({ instance, baseUrl, record, fetch, retries = 4, timeoutMs = 1_500 }: NaiveRunnerOptions) {
    this.instance = instance;
    this.#record = record;
    this.#retries = retries;
    const principal = principalOf('naive', instance);
    this.#http = ky.create({
      baseUrl,
      fetch,
      retry: 0,
      timeout: timeoutMs,
      headers: { authorization: `Bearer ${principal}` },
    });
  }

  run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void> {
    const start = Date.now();
    const gap = writes.length > 1 ? spreadMs / writes.length : 0;
    const slot = new Map(writes.map((w, i) => [w.writeId, start + i * gap]));
    // A visitor's writes go one after another, as an app awaiting each call would send them. The app
    // takes each write from the person at its moment (as Landed's does), and holds it in memory while
    // the visitor's earlier call is still on the wire: killed then, the app forgets it.
    for (const lane of byLane(writes)) {
      let previous: Promise<void> = Promise.resolve();
      for (const w of lane) {
        const accepted = sleep((slot.get(w.writeId) ?? 0) - Date.now()).then(() => this.#accept(w));
        previous = Promise.all([previous, accepted]).then(() => this.#send(w));
      }
      this.#lanes.push(previous);
    }
    return sleep(spreadMs);
  }

  #accept(w: PlannedWrite): void {
    this.#record({ type: 'enqueue', at: Date.now(), client: 'naive', writeId: w.writeId, payload: w.body });
    this.#open.add(w.writeId);
  }

  async #send(w: PlannedWrite): Promise<void> {
    const client = 'naive';
    try {
      const body = await pRetry(
        async () => {
          try {
            const response = await this.#http(w.path.slice(1), { method: w.method ?? 'POST', json: w.body });
            const json: unknown = await response.json();
            this.#record({
              type: 'attempt',
              at: Date.now(),
              client,
              writeId: w.writeId,
              result: 'ok',
              status: response.status,
            });
            return json;
          } catch (error) {
            const status = error instanceof HTTPError ? error.response.status : undefined;
            this.#record({
              type: 'attempt',
              at: Date.now(),
              client,
              writeId: w.writeId,
              result: status !== undefined && status < 500 ? 'fail' : 'info',
              ...(status === undefined ? {} : { status }),
            });
            if (status !== undefined && status < 500) throw new AbortError(`HTTP ${status}`);
            throw error;
          }
        },
        { retries: this.#retries, minTimeout: 50, maxTimeout: 800, randomize: true },
      );
      const receipt = receiptOf(body);
      this.#record({
        type: 'verdict',
        at: Date.now(),
        client,
        writeId: w.writeId,
        verdict: 'confirmed',
        ...(receipt === undefined ? {} : { receipt }),
      });
    } catch {
      this.#record({ type: 'verdict', at: Date.now(), client, writeId: w.writeId, verdict: 'rejected' });
    } finally {
      this.#open.delete(w.writeId);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    await within(Promise.all(this.#lanes), timeoutMs);
    for (const writeId of this.#open)
      this.#record({ type: 'verdict', at: Date.now(), client: 'naive', writeId, verdict: 'unresolved' });
    this.#open.clear();
  }

  async close(): Promise<void> {}
}
