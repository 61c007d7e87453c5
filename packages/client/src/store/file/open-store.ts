import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { QuarantinedRecord } from '../../types/store.ts';
import { errnoOf, unavailableError, writeError } from './errors.ts';
import { syncDirectory, writeAll } from './fs-sync.ts';
import { Journal, openDsync } from './Journal.ts';
import { acquireLock, LOCK_FILE, type OutboxLock } from './lock.ts';
import type { ResolvedOptions } from './options.ts';
import { keepAside, toQuarantined } from './quarantine.ts';
import { ReadOnlyJournal } from './ReadOnlyJournal.ts';
import { encodeRecord } from './record.ts';
import { type ReplayResult, replayJournal } from './replay.ts';
import { JOURNAL_VERSION, OutboxState } from './state.ts';

export const JOURNAL_FILE = 'journal.jsonl';
export const QUARANTINE_FILE = 'quarantine.jsonl';

/** An outbox directory, opened: its state replayed, its journal ready to append, its lock held. */
export interface Opened {
  state: OutboxState;
  journal: Journal | ReadOnlyJournal;
  lock: OutboxLock | undefined;
  quarantined: QuarantinedRecord[];
}

const READ_ONLY_ERRNOS = new Set(['EROFS', 'EACCES', 'EPERM']);

function isReadOnly(error: unknown): boolean {
  return READ_ONLY_ERRNOS.has(errnoOf(error) ?? '');
}

export async function openStore(settings: ResolvedOptions): Promise<Opened> {
  const { dir } = settings;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw unavailableError(error, dir, 'create its directory');
  }
  // Set when the directory cannot be written: the store then loads what is there and refuses commits.
  let readOnly: unknown;
  let lock: OutboxLock | undefined;
  if (settings.lock) {
    try {
      lock = await acquireLock(dir);
    } catch (error) {
      if (!isReadOnly(error)) throw unavailableError(error, dir, `create ${LOCK_FILE}`);
      readOnly = error;
    }
  }
  try {
    const path = join(dir, JOURNAL_FILE);
    let fh: FileHandle | undefined;
    if (readOnly === undefined) {
      // A snapshot that was being written when the process died: the journal beside it is complete.
      await rm(`${path}.tmp`, { force: true }).catch(() => {});
      try {
        fh = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
      } catch (error) {
        if (!isReadOnly(error)) throw unavailableError(error, dir, `open ${JOURNAL_FILE}`);
        readOnly = error;
      }
    }
    if (fh === undefined) {
      fh = await open(path, 'r').catch((error: unknown) => {
        if (errnoOf(error) === 'ENOENT') return undefined;
        throw unavailableError(error, dir, `read ${JOURNAL_FILE}`);
      });
    }
    try {
      const state = new OutboxState(settings.maxLogRecordsPerEntry);
      const replay =
        fh &&
        (await replayJournal(fh, JOURNAL_FILE, state).catch((error: unknown) => {
          throw unavailableError(error, dir, `read ${JOURNAL_FILE}`);
        }));
      const quarantined = replay?.damaged.map(toQuarantined) ?? [];
      if (readOnly !== undefined || !fh || !replay) {
        return {
          state,
          journal: new ReadOnlyJournal(path, fh, replay?.goodBytes ?? 0, readOnly),
          lock,
          quarantined,
        };
      }
      const journal = await prepareJournal(fh, path, replay, state, settings);
      return { state, journal, lock, quarantined };
    } catch (error) {
      await fh?.close().catch(() => {});
      throw error;
    }
  } catch (error) {
    await lock?.release().catch(() => {});
    throw error;
  }
}

/** Sets damaged lines aside, cuts a torn tail (and zeros ahead of the end) off, and compacts when that is worthwhile. */
async function prepareJournal(
  fh: FileHandle,
  path: string,
  replay: ReplayResult,
  state: OutboxState,
  settings: ResolvedOptions,
): Promise<Journal> {
  const { dir, sync } = settings;
  const toKeep = replay.torn
    ? [
        ...replay.damaged,
        {
          location: `${JOURNAL_FILE}:tail`,
          reason: 'torn tail (a write unfinished at a crash)',
          raw: replay.torn,
        },
      ]
    : replay.damaged;
  await keepAside(join(dir, QUARANTINE_FILE), toKeep, sync).catch((error: unknown) => {
    throw writeError(error, join(dir, QUARANTINE_FILE));
  });
  let size = replay.goodBytes;
  try {
    if (replay.fileBytes > size) await fh.truncate(size);
    if (size === 0) {
      const header = Buffer.from(encodeRecord(JSON.stringify({ v: JOURNAL_VERSION })));
      await writeAll(fh, header, 0);
      size = header.length;
    }
    if (sync) {
      // The journal's name must be as durable as its bytes (it may have just been created).
      await fh.datasync();
      await syncDirectory(dir);
    }
  } catch (error) {
    throw writeError(error, path);
  }
  const journal = new Journal(path, fh, size, state, {
    sync,
    compactAfterBytes: settings.compactAfterBytes,
    dsync: sync ? await openDsync(path) : undefined,
  });
  // Damaged lines are in the quarantine file now: drop them from the journal so they are reported
  // once. Also compact a journal that is mostly superseded lines (it would slow every start).
  const worthwhile = size >= settings.compactAfterBytes && state.mostlySuperseded();
  if (replay.damaged.length > 0 || worthwhile) await journal.compact().catch(() => {});
  return journal;
}
