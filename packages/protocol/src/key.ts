/**
 * The key itself: how it is made, written and read. The IETF draft makes `Idempotency-Key` an
 * sf-string (`"abc"`); Stripe-style servers take it bare. Senders choose, receivers accept both.
 */

/** How the key is written in the header: the draft's sf-string, or bare. */
export type KeyFormat = 'quoted' | 'unquoted';

export type ParsedKey =
  | { kind: 'missing' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'ok'; key: string };

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A fresh key: a random (version 4) UUID from the platform's CSPRNG. `crypto.randomUUID` where the
 * runtime offers it (it is missing outside secure contexts in browsers), else `getRandomValues`.
 */
export function generateKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = (i: number) => HEX[b[i] as number] as string;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

/** True for a key a server accepts: 1 to 255 visible ASCII characters (after unquoting). */
export function isValidKey(key: string): boolean {
  return VISIBLE_ASCII.test(key);
}

/** The key as sent: an sf-string (quotes and backslashes escaped) or bare. */
export function formatKey(key: string, format: KeyFormat = 'quoted'): string {
  if (format === 'unquoted') return key;
  // A generated key (hex and dashes) has nothing to escape: skip the regular expression.
  return key.includes('"') || key.includes('\\') ? `"${key.replace(/["\\]/g, '\\$&')}"` : `"${key}"`;
}

/**
 * A receiver's strict reading: both forms accepted; after unquoting the key must be 1–255 visible
 * ASCII characters. A server answers `malformed` with 400 and `missing` per its own rule.
 */
export function parseKey(value: string | null | undefined): ParsedKey {
  if (value == null) return { kind: 'missing' };
  const trimmed = value.trim();
  if (trimmed === '') return { kind: 'missing' };
  let key = trimmed;
  if (trimmed.startsWith('"')) {
    const inner = trimmed.slice(1, -1);
    if (trimmed.length >= 2 && trimmed.endsWith('"') && !inner.includes('"') && !inner.includes('\\')) {
      // The common case, a quoted UUID: nothing escaped (the visible-ASCII check below still applies).
      key = inner;
    } else {
      const match = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(trimmed);
      if (!match) return { kind: 'malformed', reason: 'it is not a well-formed quoted string' };
      key = (match[1] as string).replace(/\\(["\\])/g, '$1');
    }
  }
  if (!VISIBLE_ASCII.test(key)) {
    return {
      kind: 'malformed',
      reason: 'it must be 1 to 255 visible ASCII characters (no spaces or control characters)',
    };
  }
  return { kind: 'ok', key };
}

/**
 * A sender's lenient reading of the key a server echoed: unquoted when quoted, otherwise as it is, so
 * it can be compared with the key sent. Anything that is not ours compares unequal, which is all the
 * client needs (a 2xx echoing another key is not our answer).
 */
export function parseKeyHeader(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    const inner = trimmed.slice(1, -1);
    return inner.includes('\\') ? inner.replace(/\\(["\\])/g, '$1') : inner;
  }
  return trimmed || undefined;
}
