import type { FileHandle } from 'node:fs/promises';
import { LandedError } from '../../errors/LandedError.ts';
import { checkRecord, decodeRecord, NEWLINE, payloadStart } from './record.ts';
import { asChange, isLogOnly, JOURNAL_VERSION, type JournalChange, type OutboxState } from './state.ts';

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
 * The next chunk is read while the current one is parsed (the read runs on libuv's thread pool), and
 * each chunk is decoded to text once, up to its last newline (a newline byte never occurs inside a
 * multi-byte UTF-8 character, so no character is cut): start-up time is dominated by JSON.parse, not
 * by waiting for the disk or by per-line buffer handling.
 */
export async function replayJournal(fh: FileHandle, name: string, state: OutboxState): Promise<ReplayResult> {
  const fileBytes = (await fh.stat()).size;
  let lineNo = 0;
  let lines = 0;
  let goodBytes = 0;
  const damaged: DamagedLine[] = [];
  let suspects: DamagedLine[] = [];

  /** Applies the whole lines of `buf` (it ends with a newline); `offset` is the file offset of `buf[0]`. */
  const consume = (buf: Buffer, offset: number): void => {
    const text = buf.toString('utf8');
    // One char per byte: the text is ASCII (what JSON.stringify writes for ASCII data), and checksums
    // can be taken over `buf` at the same offsets.
    const bytes = text.length === buf.length ? buf : undefined;
    let start = 0;
    let goodEnd = -1; // char offset in `text` after the last good line
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNo++;
      // Log records only: checked now, parsed when a log is read (see `LazyLog`). Anything else now.
      const payload = payloadStart(start);
      const lazy = isLogOnly(text, payload);
      let change: JournalChange | string;
      if (lazy) change = checkRecord(text, start, nl, bytes) ?? {};
      else {
        const decoded = decodeRecord(text, start, nl, bytes);
        change = decoded.ok ? asChange(decoded.value) : decoded.reason;
      }
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
        if (lazy) state.applyLazyLog(text.slice(payload, nl));
        else state.apply(change);
        lines++;
        goodEnd = nl + 1;
      }
      start = nl + 1;
    }
    if (goodEnd === text.length) goodBytes = offset + buf.length;
    else if (goodEnd > 0) goodBytes = offset + (bytes ? goodEnd : Buffer.byteLength(text.slice(0, goodEnd)));
  };

  const read = async (position: number): Promise<Buffer> => {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, fileBytes - position));
    const { bytesRead } = await fh.read(buf, 0, buf.length, position);
    return buf.subarray(0, bytesRead);
  };

  let position = 0;
  let next = fileBytes > 0 ? read(0) : undefined;
  let carry: Buffer | undefined; // the unfinished last line of the chunks so far
  let carryOffset = 0; // its file offset
  while (next) {
    const data = await next;
    if (data.length === 0) break;
    const offset = position;
    position += data.length;
    next = position < fileBytes ? read(position) : undefined;
    let from = 0;
    if (carry) {
      const nl = data.indexOf(NEWLINE);
      if (nl === -1) {
        carry = Buffer.concat([carry, data]);
        continue;
      }
      consume(Buffer.concat([carry, data.subarray(0, nl + 1)]), carryOffset);
      carry = undefined;
      from = nl + 1;
    }
    const last = data.lastIndexOf(NEWLINE);
    if (last >= from) consume(data.subarray(from, last + 1), offset + from);
    const rest = Math.max(last + 1, from);
    if (rest < data.length) {
      carry = Buffer.from(data.subarray(rest));
      carryOffset = offset + rest;
    }
  }

  // After the last good line: zeros the journal wrote ahead of its end (see `Journal`), and maybe the
  // unfinished write of a crash in them. Only that write is a torn tail; zeros alone say nothing.
  let torn: Buffer | undefined;
  for (let at = goodBytes; at < fileBytes && torn === undefined; ) {
    const piece = Buffer.alloc(Math.min(fileBytes - at, TORN_KEEP));
    const { bytesRead } = await fh.read(piece, 0, piece.length, at);
    if (bytesRead === 0) break;
    const read = piece.subarray(0, bytesRead);
    const first = read.equals(Buffer.alloc(bytesRead)) ? -1 : read.findIndex((byte) => byte !== 0);
    if (first === -1) {
      at += bytesRead;
      continue;
    }
    const keep = Buffer.alloc(Math.min(fileBytes - at - first, TORN_KEEP));
    await fh.read(keep, 0, keep.length, at + first);
    let end = keep.length;
    while (end > 0 && keep[end - 1] === 0) end--;
    torn = keep.subarray(0, end);
  }
  return { goodBytes, fileBytes, lines, damaged, torn };
}
