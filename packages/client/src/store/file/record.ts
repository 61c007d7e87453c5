import { crc32 } from 'node:zlib';

/**
 * One journal line: `<crc32 of the payload, 8 hex digits> <payload JSON>\n`. The checksum makes a
 * torn or bit-flipped line detectable instead of mis-parsed: JSON alone would happily read
 * `{"put":[...]}` cut short inside a string as a syntax error, but a flipped digit as a different
 * number. One `commit()` is exactly one line, so replay applies a commit whole or not at all.
 */
export const NEWLINE = 0x0a;
const HEADER_CHARS = 9; // 8 hex digits and a space

export function encodeRecord(payload: string): string {
  return `${(crc32(payload) >>> 0).toString(16).padStart(8, '0')} ${payload}\n`;
}

export type Decoded = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Checks the line `text[start, end)` (without its newline): its prefix and its checksum. Undefined
 * when it is intact, else why not. `bytes`, when given, holds the same characters one byte each (the
 * chunk was pure ASCII): the checksum is then taken over those bytes directly instead of encoding the
 * payload to UTF-8 again.
 */
export function checkRecord(
  text: string,
  start: number,
  end: number,
  bytes?: Uint8Array,
): string | undefined {
  if (end - start < HEADER_CHARS + 2 || text.charCodeAt(start + 8) !== 0x20) {
    return 'not a journal record (no checksum prefix)';
  }
  const stored = Number.parseInt(text.slice(start, start + 8), 16);
  if (Number.isNaN(stored)) return 'not a journal record (checksum is not hex)';
  // Bytes that were not UTF-8 were decoded to U+FFFD, so their checksum cannot match either.
  const sum = bytes
    ? crc32(bytes.subarray(start + HEADER_CHARS, end))
    : crc32(text.slice(start + HEADER_CHARS, end));
  if (sum >>> 0 !== stored) return 'checksum mismatch (the line is damaged)';
  return undefined;
}

/** Where the payload of a line starting at `start` begins. */
export const payloadStart = (start: number): number => start + HEADER_CHARS;

/** Checks, then parses the line `text[start, end)` (see `checkRecord`). */
export function decodeRecord(text: string, start: number, end: number, bytes?: Uint8Array): Decoded {
  const damage = checkRecord(text, start, end, bytes);
  if (damage !== undefined) return { ok: false, reason: damage };
  try {
    return { ok: true, value: JSON.parse(text.slice(start + HEADER_CHARS, end)) };
  } catch (error) {
    return {
      ok: false,
      reason: `checksum matches but the payload is not JSON (${(error as Error).message})`,
    };
  }
}
