import type fc from 'fast-check';
import type { SimClock } from './sim-clock.ts';

/** What the network or the server does to one request. */
export type Fault =
  | 'none'
  | 'drop-request'
  | 'drop-response'
  | '500-before-commit'
  | '500-after-commit'
  | '409'
  | 'reset'
  | 'hang';

export const FAULTS: readonly Fault[] = [
  'none',
  'drop-request',
  'drop-response',
  '500-before-commit',
  '500-after-commit',
  '409',
  'reset',
  'hang',
];

interface KeyRecord {
  state: 'started' | 'finished';
  firstSeen: number;
  status?: number;
  body?: string;
}

/**
 * An in-memory server that follows the protocol (docs/protocol.md), with a retention window after
 * which the send path forgets a key (as a real server reaps it) while the lookup route still knows it
 * (the tombstone). The effects go to an append-only ledger so a duplicate shows.
 */
export class SimServer {
  readonly ledger: Array<{ key: string; body: string }> = [];
  readonly keys = new Map<string, KeyRecord>();
  readonly tombstones = new Map<string, { status: number; body: string }>();
  faults: Fault[] = [];
  healed = false;
  requests = 0;
  readonly #clock: SimClock;
  readonly #retentionSec: number;
  readonly #lookup: boolean;
  readonly #timeoutMs: number;

  constructor(clock: SimClock, options: { retentionSec: number; lookup: boolean; timeoutMs: number }) {
    this.#clock = clock;
    this.#retentionSec = options.retentionSec;
    this.#lookup = options.lookup;
    this.#timeoutMs = options.timeoutMs;
  }

  #reap(): void {
    for (const [key, record] of this.keys) {
      if (record.state === 'finished' && this.#clock.now - record.firstSeen > this.#retentionSec * 1000)
        this.keys.delete(key);
    }
  }

  #headers(key: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      'idempotency-key': `"${key}"`,
      'idempotency-retention': String(this.#retentionSec),
      ...extra,
    };
  }

  /** A `fetch` whose every step is released by the fast-check scheduler, in an order it chooses. */
  fetchFor(s: fc.Scheduler): typeof fetch {
    return async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const sentAt = this.#clock.now;
      const abort = new Promise<never>((_, reject) => {
        const fail = () => reject(request.signal.reason ?? new DOMException('aborted', 'AbortError'));
        if (request.signal.aborted) fail();
        request.signal.addEventListener('abort', fail, { once: true });
      });
      abort.catch(() => {});
      return Promise.race([abort, this.#exchange(s, request, sentAt)]);
    };
  }

  async #exchange(s: fc.Scheduler, request: Request, sentAt: number): Promise<Response> {
    const body = await request.text();
    const rawKey = request.headers.get('idempotency-key');
    const key = rawKey?.replace(/^"|"$/g, '');
    const fault: Fault = this.healed ? 'none' : (this.faults[this.requests] ?? 'none');
    this.requests++;
    await s.schedule(Promise.resolve(), `deliver ${request.method} ${key?.slice(0, 8)} (${fault})`);
    // A request the network held past the client's timeout is given up by the network too.
    if (this.#clock.now - sentAt > this.#timeoutMs) throw new TypeError('fetch failed: network gave up');
    if (fault === 'drop-request' || fault === 'reset')
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    if (fault === 'hang') return new Promise<never>(() => {});
    this.#reap();
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname.startsWith('/idempotency/')) {
      const lookupKey = decodeURIComponent(url.pathname.slice('/idempotency/'.length));
      if (!this.#lookup) return new Response('not found', { status: 404 });
      const live = this.keys.get(lookupKey);
      if (live?.state === 'started')
        return new Response('', { status: 409, headers: this.#headers(lookupKey) });
      const stored = this.tombstones.get(lookupKey);
      if (!stored) return new Response('{}', { status: 404, headers: this.#headers(lookupKey) });
      return new Response(
        JSON.stringify({ key: lookupKey, status: stored.status, body: JSON.parse(stored.body) }),
        { status: 200, headers: this.#headers(lookupKey) },
      );
    }
    if (!key) return new Response('{"title":"missing key"}', { status: 400 });
    const known = this.keys.get(key);
    if (known?.state === 'finished') {
      return new Response(known.body ?? '', {
        status: known.status ?? 200,
        headers: this.#headers(key, { 'idempotent-replayed': 'true' }),
      });
    }
    if (known?.state === 'started' || fault === '409')
      return new Response('', { status: 409, headers: this.#headers(key, { 'retry-after': '1' }) });
    this.keys.set(key, { state: 'started', firstSeen: this.#clock.now });
    await s.schedule(Promise.resolve(), `commit ${key.slice(0, 8)}`);
    if (fault === '500-before-commit') {
      this.keys.delete(key);
      return new Response('', { status: 500, headers: this.#headers(key) });
    }
    this.ledger.push({ key, body });
    const answer = JSON.stringify({ n: this.ledger.length });
    this.keys.set(key, {
      state: 'finished',
      firstSeen: this.keys.get(key)?.firstSeen ?? this.#clock.now,
      status: 201,
      body: answer,
    });
    this.tombstones.set(key, { status: 201, body: answer });
    await s.schedule(Promise.resolve(), `respond ${key.slice(0, 8)}`);
    if (fault === '500-after-commit') return new Response('', { status: 500, headers: this.#headers(key) });
    if (fault === 'drop-response')
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    return new Response(answer, { status: 201, headers: this.#headers(key) });
  }
}
