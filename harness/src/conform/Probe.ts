/**
 * What the conformance checks share: the target, the write route and its body template, two
 * principals, fresh keys and write ids, and every keyed exchange so far (the key must be echoed and the
 * retention published on each of them, not only on the first).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Exchange, exchange } from './exchange.ts';

export interface ProbeSettings {
  /** The server's base URL (`http://host:port`, optionally with a path prefix). */
  target: string;
  /** The write route the probes POST to. */
  path: string;
  /** The JSON body, with `{{writeId}}` where each probe write puts its own id. */
  body: string;
  /** The lookup route's prefix (`GET {lookupPath}/{key}`), or null when the server has none. */
  lookupPath: string | null;
  /** `Authorization` values of two different principals. */
  principals: readonly [string, string];
  timeoutMs: number;
  /** How long the concurrency check asks a server with fault hooks to hold its first request (`Landed-Fault: slow:<ms>`). */
  holdMs: number;
}

export class Probe {
  readonly settings: ProbeSettings;
  readonly base: string;
  /** Every keyed write and the key it carried, in order. */
  readonly keyed: Array<{ key: string; exchange: Exchange }> = [];
  readonly #run = randomUUID().slice(0, 8);
  #writes = 0;
  #ledger: Promise<boolean> | undefined;

  constructor(settings: ProbeSettings) {
    this.settings = settings;
    this.base = settings.target.replace(/\/$/, '');
  }

  newKey(): string {
    return randomUUID();
  }

  newWriteId(): string {
    return `conform-${this.#run}-${++this.#writes}`;
  }

  /** The body of one write: the template with its id, or (a template without `{{writeId}}`) the id added as a field. */
  bodyOf(writeId: string): string {
    const template = this.settings.body;
    if (template.includes('{{writeId}}')) return template.replaceAll('{{writeId}}', writeId);
    const value = JSON.parse(template) as Record<string, unknown>;
    return JSON.stringify({ ...value, landedConform: writeId });
  }

  async write(options: {
    key?: string | undefined;
    writeId: string;
    principal?: 0 | 1;
    headers?: Record<string, string>;
  }): Promise<Exchange> {
    const headers: Record<string, string> = {
      authorization: this.settings.principals[options.principal ?? 0],
      ...options.headers,
    };
    if (options.key !== undefined) headers['idempotency-key'] = `"${options.key}"`;
    const e = await exchange(this.base, this.settings.path, {
      headers,
      body: this.bodyOf(options.writeId),
      timeoutMs: this.settings.timeoutMs,
    });
    if (options.key !== undefined) this.keyed.push({ key: options.key, exchange: e });
    return e;
  }

  lookup(key: string, principal: 0 | 1 = 0): Promise<Exchange> {
    return exchange(this.base, `${this.settings.lookupPath}/${encodeURIComponent(key)}`, {
      method: 'GET',
      headers: { authorization: this.settings.principals[principal] },
      timeoutMs: this.settings.timeoutMs,
    });
  }

  /**
   * Polls the lookup route until it says `key` is in progress (409) or done (200), or `first` has
   * been answered: each round waits for the server's answer, and the loop is bounded.
   */
  async untilInProgress(key: string, first: Promise<Exchange>): Promise<'in-progress' | 'done'> {
    let answered = false;
    void first.finally(() => {
      answered = true;
    });
    for (let round = 0; round < 200 && !answered; round++) {
      const e = await this.lookup(key);
      if (e.answer?.status === 409) return 'in-progress';
      if (e.answer?.status === 200) return 'done';
      await delay(15);
    }
    return 'done';
  }

  /**
   * How many times the server applied `writeId`, when it offers the harness's ledger
   * (`GET /_chaos/ledger`); undefined when it does not, and the answers alone must tell.
   */
  async effects(writeId: string): Promise<number | undefined> {
    const origin = new URL(this.base).origin;
    const rows = async () => {
      const e = await exchange(origin, '/_chaos/ledger', {
        method: 'GET',
        timeoutMs: this.settings.timeoutMs,
      });
      if (e.answer?.status !== 200) return undefined;
      try {
        const parsed = JSON.parse(e.answer.body) as { rows?: Array<{ writeId?: unknown }> };
        return Array.isArray(parsed.rows) ? parsed.rows : undefined;
      } catch {
        return undefined;
      }
    };
    this.#ledger ??= rows().then((r) => r !== undefined);
    if (!(await this.#ledger)) return undefined;
    return (await rows())?.filter((row) => row.writeId === writeId).length;
  }
}
