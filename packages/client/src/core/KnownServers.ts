import type { Entry } from '../types/entry.ts';
import type { ServerFacts } from '../types/store.ts';

/** Origins by URL: every answer is checked for a retention, and an app writes to the same few URLs. */
const origins = new Map<string, string>();
const ORIGINS_MAX = 256;

/** The origin an entry is bound for; the facts of a server are kept per origin. */
export function originOf(url: string): string {
  let origin = origins.get(url);
  if (origin !== undefined) return origin;
  try {
    origin = new URL(url).origin;
  } catch {
    origin = url;
  }
  if (origins.size >= ORIGINS_MAX) origins.clear();
  origins.set(url, origin);
  return origin;
}

/**
 * What the client knows about each server it writes to, by origin. Retention lives here and not on
 * the entry: an entry whose every answer was lost never heard the server's retention itself, and
 * re-sending it on the `retentionSec` default (a day) past the window the server published to its
 * neighbours applied it again on a server that had forgotten the key. One place, persisted with the
 * outbox, shared by every entry of the origin, so a shorter value learned later also shortens the
 * window of entries already in flight.
 */
export class KnownServers {
  readonly #byOrigin = new Map<string, ServerFacts>();

  /** Takes in the facts a store loaded; entries of older versions may still carry their own retention. */
  fill(facts: readonly ServerFacts[] | undefined, entries: Iterable<Entry>): void {
    for (const fact of facts ?? []) this.#byOrigin.set(fact.origin, { ...fact });
    const legacy = new Map<string, ServerFacts>();
    for (const entry of entries) {
      const retentionSec = entry.serverRetentionSec;
      if (retentionSec === undefined) continue;
      const origin = originOf(entry.url);
      if (this.#byOrigin.has(origin)) continue;
      // Where old entries of one origin disagree, the shortest window is the safe one.
      const seen = legacy.get(origin);
      if (!seen || retentionSec < (seen.retentionSec ?? Number.POSITIVE_INFINITY))
        legacy.set(origin, { origin, retentionSec, heardAt: entry.updatedAt });
    }
    for (const fact of legacy.values()) this.#byOrigin.set(fact.origin, fact);
  }

  get(origin: string): ServerFacts | undefined {
    return this.#byOrigin.get(origin);
  }

  /** The retention (seconds) published by the server `url` is bound for, if it has published one. */
  retentionFor(url: string): number | undefined {
    return this.#byOrigin.get(originOf(url))?.retentionSec;
  }

  /**
   * Records a retention the server of `url` published. Returns the facts to persist when they changed
   * (the same value heard again is not worth a commit).
   */
  learn(url: string, retentionSec: number, now: number): ServerFacts | undefined {
    const origin = originOf(url);
    const known = this.#byOrigin.get(origin);
    if (known?.retentionSec === retentionSec) return undefined;
    const facts: ServerFacts = { origin, retentionSec, heardAt: now };
    this.#byOrigin.set(origin, facts);
    return facts;
  }

  list(): ServerFacts[] {
    return [...this.#byOrigin.values()].map((facts) => ({ ...facts }));
  }
}
