import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeAll } from './fs-sync.ts';
import { encodeRecord } from './record.ts';
import type { OutboxState } from './state.ts';

const WRITE_CHUNK = 1024 * 1024;

/**
 * Replaces the journal by a snapshot of `state`. Crash-safe at every step: the snapshot is written to
 * a temp file and fdatasync'd before it is renamed over the journal (rename is atomic), then the
 * directory is fsync'd so the rename itself survives. A crash before the rename leaves the old journal
 * (the temp file is removed on the next open); after it, the new one, complete.
 *
 * Returns the new journal, opened before the rename: a handle opened after it could fail, and appends
 * to the old handle would land in the replaced (unlinked) file.
 */
export async function writeSnapshot(
  journalPath: string,
  state: OutboxState,
  sync: boolean,
): Promise<{ fh: FileHandle; size: number; synced: boolean }> {
  const tmp = `${journalPath}.tmp`;
  const fh = await open(tmp, 'w+');
  let size = 0;
  try {
    let parts: string[] = [];
    let pending = 0;
    const flush = async () => {
      const buf = Buffer.from(parts.join(''), 'utf8');
      parts = [];
      pending = 0;
      await writeAll(fh, buf, size);
      size += buf.length;
    };
    for (const payload of state.snapshot()) {
      const line = encodeRecord(payload);
      parts.push(line);
      pending += line.length;
      if (pending >= WRITE_CHUNK) await flush();
    }
    if (pending > 0) await flush();
    if (sync) await fh.datasync();
    await rename(tmp, journalPath);
  } catch (error) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw error;
  }
  // The rename is done; if the directory cannot be synced now the journal syncs it before the next
  // commit resolves, so no commit rests on a rename that a power cut could undo.
  const synced = sync
    ? await syncDirectory(dirname(journalPath)).then(
        () => true,
        () => false,
      )
    : true;
  return { fh, size, synced };
}
