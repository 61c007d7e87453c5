import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LandedError } from '../../errors/LandedError.ts';
import { errnoOf } from './errors.ts';

/** What the lock file says about its holder. `startTicks` tells a live holder from a recycled pid. */
interface LockHolder {
  pid: number;
  host: string;
  startTicks: number | null;
  startedAt: string;
}

export interface OutboxLock {
  release(): Promise<void>;
}

export const LOCK_FILE = 'outbox.lock';
/** A lock file with no readable holder older than this was left by a crash between create and write. */
const UNREADABLE_GRACE_MS = 2_000;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot) and the state letter. */
function procStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    return { state: fields[0] ?? '?', startTicks: Number.isFinite(startTicks) ? startTicks : -1 };
  } catch {
    return undefined;
  }
}

function holderIsAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // a process on another machine cannot be checked: assume it lives
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (errnoOf(error) === 'ESRCH') return false;
  }
  const now = procStat(holder.pid);
  if (!now) return true; // no /proc: kill(0) said it exists
  if (now.state === 'Z' || now.state === 'X') return false; // killed, not yet reaped
  return holder.startTicks === null || now.startTicks === holder.startTicks;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string') return value as LockHolder;
  } catch {}
  return undefined;
}

/**
 * Takes `outbox.lock` (O_EXCL) so that one process sends from one outbox: two senders would each
 * re-send the other's uncertain entries. A lock whose holder is dead (SIGKILL, power cut) is taken
 * over; a live holder's is not.
 */
export async function acquireLock(dir: string): Promise<OutboxLock> {
  const path = join(dir, LOCK_FILE);
  const self = procStat(process.pid);
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startTicks: self?.startTicks ?? null,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
  };
  const text = `${JSON.stringify(mine)}\n`;
  for (let round = 0; round < 50; round++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      return { release: () => releaseLock(path, text) };
    } catch (error) {
      // Other failures go to the caller as they are: a read-only directory is not an unusable store.
      if (errnoOf(error) !== 'EEXIST') throw error;
    }
    const seen = await readFile(path, 'utf8').catch(() => undefined);
    if (seen === undefined) continue; // released meanwhile: try again
    const holder = parseHolder(seen);
    if (holder === undefined) {
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
      if (age < UNREADABLE_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
    } else if (holderIsAlive(holder)) {
      throw new LandedError(
        'OUTBOX_LOCKED',
        `the outbox in ${dir} is in use by process ${holder.pid} on ${holder.host} (started ${holder.startedAt}); only one process may send from an outbox. Stop that process, or give this one its own directory`,
      );
    }
    // Stale: remove it only if it is still the file we judged (another opener may have taken over).
    const again = await readFile(path, 'utf8').catch(() => undefined);
    if (again === seen) await unlink(path).catch(() => {});
  }
  throw new LandedError('OUTBOX_LOCKED', `could not take ${path}: other processes keep taking it; try again`);
}

async function releaseLock(path: string, text: string): Promise<void> {
  const seen = await readFile(path, 'utf8').catch(() => undefined);
  if (seen === text) await unlink(path).catch(() => {});
}
