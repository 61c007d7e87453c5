/** A tiny typed event emitter. A throwing listener never breaks the client or other listeners. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Whether anyone listens to `event` (so a payload that costs something to build can be skipped). */
  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const listeners = this.#listeners.get(event);
    if (listeners === undefined || listeners.size === 0) return;
    for (const listener of listeners) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch {
        // An app's listener failing must not stop the outbox.
      }
    }
  }
}
