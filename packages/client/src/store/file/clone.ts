/**
 * Copies a plain JSON value. Entries and log records are JSON by contract, and a hand-written copy is
 * several times faster than `structuredClone` for the small objects the outbox hands out — which
 * matters when `load()` returns 100,000 entries at start-up.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}

/**
 * Makes a plain JSON value read-only, in place, all the way down (already frozen parts are skipped).
 * Cheaper than a copy and allocates nothing, which is what start-up with 100,000 entries needs.
 */
export function freezeJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key in value) freezeJson((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** The fields of an entry that hold objects (every other field is a string, a number or a boolean). */
const NESTED_FIELDS = ['headers', 'lastError', 'outcome', 'reported'] as const;

/**
 * `freezeJson` for an entry, without walking its scalar fields one by one: the entry itself, then the
 * fields that hold objects. A loaded outbox freezes 100,000s of them at start-up.
 */
export function freezeEntry<T extends object>(entry: T): T {
  if (Object.isFrozen(entry)) return entry;
  const fields = entry as Record<string, unknown>;
  for (const key of NESTED_FIELDS) {
    const value = fields[key];
    if (typeof value === 'object' && value !== null) freezeJson(value);
  }
  return Object.freeze(entry);
}

/**
 * `cloneJson` for a flat-topped record (an entry, a log record): a spread copies the scalar fields in
 * one step, and only the fields that hold objects are copied further.
 */
export function cloneRecord<T extends object>(record: T): T {
  const out = { ...record } as Record<string, unknown>;
  for (const key in out) {
    const value = out[key];
    if (typeof value === 'object' && value !== null) out[key] = cloneJson(value);
  }
  return out as T;
}
