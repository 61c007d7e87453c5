import type { Entry } from '@landed/client';

/** An entry as a store test commits it: a queued POST whose key derives from `id`; `patch` overrides. */
export function storedEntry(id: string, patch: Partial<Entry> = {}): Entry {
  return {
    id,
    key: `key-${id}`,
    method: 'POST',
    url: 'https://api.example/pens',
    lane: 'default',
    seq: 1,
    state: 'queued',
    attempts: 0,
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  };
}
