/**
 * "What apps write by hand": ky with its own retry turned on for POST, as ky's readme shows it
 * (`retry: { limit, methods: ['post'] }`), and an `Idempotency-Key` header — the two ways apps add it:
 *
 * - `ky-retry-key-per-attempt`, the common mistake: a hook stamps a fresh key on every request that
 *   goes out. In ky 1 a `beforeRequest` hook alone did that (it ran before every retry); ky 2 runs
 *   `beforeRequest` once per call, so the same habit now needs `beforeRetry` as well — and that is
 *   how it is written here. Every retry is a new key, so the server cannot tell it is a repeat.
 * - `ky-retry-key-per-write`, the careful version: one key made when the person makes the write,
 *   passed in the call's headers, so all of ky's retries carry it.
 *
 * Neither has an outbox: the key lives in memory, so a killed process forgets the write and its key;
 * after ky's retries the app tells the person the write failed.
 */
import ky, { type KyInstance } from 'ky';
import { principalOf } from '../../checker/history.ts';
import { type ClientRunner, type Record, receiptOf, sleep, within } from '../runner.ts';
import { byLane, type PlannedWrite } from '../workload.ts';

export type KeyMode = 'per-attempt' | 'per-write';

export interface KyRetryRunnerOptions {
  keyMode: KeyMode;
  instance: number;
  baseUrl: string;
  record: Record;
  fetch: typeof fetch;
  /** Per-attempt timeout, the same as every other client's. @default 1500 */
  timeoutMs?: number;
}

/** ky's retry settings for these kinds: ky's defaults, POST added, timeouts retried, 4 retries like the naive client. */
export const KY_RETRY = {
  limit: 4,
  methods: ['post'],
  retryOnTimeout: true,
  backoffLimit: 800,
  jitter: true,
} as const;

export class KyRetryRunner implements ClientRunner {
  readonly kind: string;
  readonly instance: number;
  readonly #record: Record;
  readonly #http: KyInstance;
  readonly #keyMode: KeyMode;
  readonly #lanes: Promise<void>[] = [];
  readonly #open = new Set<string>();

  constructor({ keyMode, instance, baseUrl, record, fetch, timeoutMs = 1_500 }: KyRetryRunnerOptions) {
    this.kind = `ky-retry-key-${keyMode}`;
    this.instance = instance;
    this.#record = record;
    this.#keyMode = keyMode;
    const principal = principalOf(this.kind, instance);
    const stamp = ({ request }: { request: Request }) => {
      request.headers.set('idempotency-key', crypto.randomUUID());
    };
    // Attempts are seen at the fetch ky calls, so every try — answered, refused or broken — is recorded.
    const observed: typeof fetch = async (input, init) => {
      const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
      try {
        const response = await fetch(input, init);
        this.#attempt(headers, response.ok ? 'ok' : response.status < 500 ? 'fail' : 'info', response.status);
        return response;
      } catch (error) {
        this.#attempt(headers, 'info');
        throw error;
      }
    };
    this.#http = ky.create({
      baseUrl,
      fetch: observed,
      timeout: timeoutMs,
      retry: { ...KY_RETRY, methods: [...KY_RETRY.methods] },
      headers: { authorization: `Bearer ${principal}` },
      ...(keyMode === 'per-attempt' ? { hooks: { beforeRequest: [stamp], beforeRetry: [stamp] } } : {}),
    });
  }

  #attempt(headers: Headers, result: 'ok' | 'fail' | 'info', status?: number): void {
    const writeId = headers.get('x-write-id');
    if (!writeId) return;
    this.#record({
      type: 'attempt',
      at: Date.now(),
      client: this.kind,
      writeId,
      result,
      ...(status === undefined ? {} : { status }),
    });
  }

  run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void> {
    const start = Date.now();
    const gap = writes.length > 1 ? spreadMs / writes.length : 0;
    const slot = new Map(writes.map((w, i) => [w.writeId, start + i * gap]));
    // As the naive client: a visitor's writes one after another, each taken at its moment.
    for (const lane of byLane(writes)) {
      let previous: Promise<void> = Promise.resolve();
      for (const w of lane) {
        const accepted = sleep((slot.get(w.writeId) ?? 0) - Date.now()).then(() => this.#accept(w));
        previous = Promise.all([previous, accepted]).then(([, key]) => this.#send(w, key));
      }
      this.#lanes.push(previous);
    }
    return sleep(spreadMs);
  }

  #accept(w: PlannedWrite): string | undefined {
    const key = this.#keyMode === 'per-write' ? crypto.randomUUID() : undefined;
    this.#record({
      type: 'enqueue',
      at: Date.now(),
      client: this.kind,
      writeId: w.writeId,
      ...(key ? { key } : {}),
      payload: w.body,
    });
    this.#open.add(w.writeId);
    return key;
  }

  async #send(w: PlannedWrite, key: string | undefined): Promise<void> {
    const client = this.kind;
    try {
      const response = await this.#http.post(w.path.slice(1), {
        json: w.body,
        headers: { 'x-write-id': w.writeId, ...(key ? { 'idempotency-key': key } : {}) },
      });
      const receipt = receiptOf(await response.json());
      const replayed = response.headers.get('idempotent-replayed') === 'true';
      this.#record({
        type: 'verdict',
        at: Date.now(),
        client,
        writeId: w.writeId,
        verdict: 'confirmed',
        status: response.status,
        ...(replayed ? { replayed } : {}),
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
      this.#record({ type: 'verdict', at: Date.now(), client: this.kind, writeId, verdict: 'unresolved' });
    this.#open.clear();
  }

  async close(): Promise<void> {}
}
