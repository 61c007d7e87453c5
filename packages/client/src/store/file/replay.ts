import type { FileHandle } from 'node:fs/promises';
import { LandedError } from '../../errors/LandedError.ts';
import { decodeRecord, NEWLINE } from './record.ts';
import { asChange, JOURNAL_VERSION, type OutboxState } from './state.ts';

/** A damaged line, with its bytes kept so the quarantine file holds what was on disk. */
export interface DamagedLine {
  location: string;
  reason: string;
  raw: Buffer;
}

export interface ReplayResult {
  /** Bytes up to the end of the last good line: everything after it is a torn tail. */
  goodBytes: number;
  fileBytes: number;
  /** Good lines applied. */
  lines: number;
  /** Damaged lines with good lines after them: quarantined, the rest of the journal still loads. */
  damaged: DamagedLine[];
  /** What followed the last good line (an unfinished write at a crash): truncated, kept aside. */
  torn: Buffer | undefined;
}

const CHUNK = 4 * 1024 * 1024;
/** A torn tail is kept aside up to this size (a crash can leave megabytes of zeros; they say nothing). */
const TORN_KEEP = 64 * 1024;

/**
 * Reads the journal front to back in large chunks, applying each good line to `state`. A damaged line
 * is not judged at once: if a good line follows it was corruption in the middle (quarantined);
 * if nothing good follows it is the torn tail of a write that never completed (its commit never
 * resolved, so dropping it loses nothing that was promised).
 *
 * Each chunk is decoded to text once, up to its last newline (a newline byte never occurs inside a
 * multi-byte UTF-8 character, so no character is cut): start-up time is dominated by JSON.parse, not
 * by per-line buffer handling.
 */
export async function replayJournal(fh: FileHandle, name: string, state: OutboxState): Promise<ReplayResult> {
  const fileBytes = (await fh.stat()).size;
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0; // file offset of carry[0]
  let position = 0;
  let lineNo = 0;
  let lines = 0;
  let goodBytes = 0;
  const damaged: DamagedLine[] = [];
  let suspects: DamagedLine[] = [];

  while (position < fileBytes) {
    // The unfinished line of the previous chunk goes first, then the file is read in after it.
    const chunk = Buffer.allocUnsafe(carry.length + Math.min(CHUNK, fileBytes - position));
    carry.copy(chunk, 0);
    const { bytesRead } = await fh.read(chunk, carry.length, chunk.length - carry.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const buf = chunk.subarray(0, carry.length + bytesRead);
    const last = buf.lastIndexOf(NEWLINE);
    if (last === -1) {
      carry = buf;
      continue;
    }
    const text = buf.toString('utf8', 0, last + 1);
    // One char per byte: the chunk is ASCII (what JSON.stringify writes for ASCII data), and checksums
    // can be taken over `buf` at the same offsets.
    const bytes = text.length === last + 1 ? buf : undefined;
    let start = 0;
    let goodEnd = -1; // char offset in `text` after the last good line
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNo++;
      const decoded = decodeRecord(text, start, nl, bytes);
      const change = decoded.ok ? asChange(decoded.value) : decoded.reason;
      if (typeof change === 'string') {
        suspects.push({
          location: `${name}:${lineNo}`,
          reason: change,
          raw: Buffer.from(text.slice(start, nl + 1)),
        });
      } else {
        if (change.v !== undefined && change.v > JOURNAL_VERSION) {
          throw new LandedError(
            'STORE_UNAVAILABLE',
            `${name} was written by a newer version of @landed/client (journal version ${change.v}); upgrade this process before opening it`,
          );
        }
        if (suspects.length > 0) {
          damaged.push(...suspects);
          suspects = [];
        }
        state.apply(change);
        lines++;
        goodEnd = nl + 1;
      }
      start = nl + 1;
    }
    if (goodEnd === text.length) goodBytes = carryOffset + last + 1;
    else if (goodEnd > 0) goodBytes = carryOffset + Buffer.byteLength(text.slice(0, goodEnd));
    carry = Buffer.from(buf.subarray(last + 1));
    carryOffset += last + 1;
  }

  const tornBytes = fileBytes - goodBytes;
  let torn: Buffer | undefined;
  if (tornBytes > 0) {
    const keep = Buffer.alloc(Math.min(tornBytes, TORN_KEEP));
    await fh.read(keep, 0, keep.length, goodBytes);
    torn = keep;
  }
  return { goodBytes, fileBytes, lines, damaged, torn };
}
