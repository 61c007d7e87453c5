import type { Entry } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';

const before = (a: Entry, b: Entry): boolean => a.seq < b.seq || (a.seq === b.seq && a.id < b.id);

/**
 * The outbox's entries by id, with an index of the unfinished entries of each lane in send order
 * (`seq`, then `id`). Finding what to send next is then a look at the front of each lane instead of a
 * scan of the whole outbox, which made every write and every send O(n) in the number of entries.
 * The index follows every `set()` and `delete()`, whoever makes them.
 */
export class EntryMap extends Map<string, Entry> {
  readonly #lanes = new Map<string, Entry[]>();

  override set(id: string, entry: Entry): this {
    const old = super.get(id);
    if (old) this.#unindex(old);
    super.set(id, entry);
    if (!TERMINAL_STATES.has(entry.state)) this.#index(entry);
    return this;
  }

  /**
   * Fills an empty map (a load at start-up, 100,000s of entries): inserted and indexed without the
   * per-entry lookups of `set()`. Should the list name an id twice, the index is rebuilt from the map.
   */
  fill(entries: readonly Entry[]): void {
    if (this.size > 0) {
      for (const entry of entries) this.set(entry.id, entry);
      return;
    }
    for (const entry of entries) {
      super.set(entry.id, entry);
      if (!TERMINAL_STATES.has(entry.state)) this.#index(entry);
    }
    if (this.size !== entries.length) {
      this.#lanes.clear();
      for (const entry of this.values()) if (!TERMINAL_STATES.has(entry.state)) this.#index(entry);
    }
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old) this.#unindex(old);
    return super.delete(id);
  }

  override clear(): void {
    this.#lanes.clear();
    super.clear();
  }

  /** Per lane, its first unfinished entry for which `eligible` holds (the one to send next). */
  heads(eligible: (entry: Entry) => boolean): Map<string, Entry> {
    const heads = new Map<string, Entry>();
    for (const [lane, list] of this.#lanes) {
      for (const entry of list) {
        if (eligible(entry)) {
          heads.set(lane, entry);
          break;
        }
      }
    }
    return heads;
  }

  /** The head of one lane (see `heads`). */
  head(lane: string, eligible: (entry: Entry) => boolean): Entry | undefined {
    for (const entry of this.#lanes.get(lane) ?? []) if (eligible(entry)) return entry;
    return undefined;
  }

  /** Where `entry` goes in `list` (first position not before it). */
  #position(list: Entry[], entry: Entry): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid] as Entry, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #index(entry: Entry): void {
    let list = this.#lanes.get(entry.lane);
    if (!list) {
      list = [];
      this.#lanes.set(entry.lane, list);
    }
    const last = list[list.length - 1];
    if (!last || before(last, entry)) list.push(entry);
    else list.splice(this.#position(list, entry), 0, entry);
  }

  #unindex(entry: Entry): void {
    const list = this.#lanes.get(entry.lane);
    if (!list) return;
    let at = this.#position(list, entry);
    if (list[at]?.id !== entry.id) at = list.findIndex((e) => e.id === entry.id);
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.#lanes.delete(entry.lane);
  }
}
