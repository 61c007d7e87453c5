/**
 * The concurrency check: a repeat that arrives while the first request with its key is still running
 * must get 409 with Retry-After, never a second run of the handler. The overlap is made, not hoped
 * for: the first request asks a server with fault hooks to hold it (`Landed-Fault: slow:<ms>`), and
 * with a lookup route the repeat goes out only once the server itself says the key is in progress.
 * Without a lookup route the repeats go out together with the first, and may or may not overlap it.
 */
import { appliedTwice, type CheckResult, result } from './checks.ts';
import { type Exchange, header, is2xx, isReplayed, status } from './exchange.ts';
import type { Probe } from './Probe.ts';

export async function concurrentRepeat(p: Probe, hasLookup: boolean): Promise<CheckResult> {
  const key = p.newKey();
  const writeId = p.newWriteId();
  const first = p.write({ key, writeId, headers: { 'landed-fault': `slow:${p.settings.holdMs}` } });
  let repeats: Exchange[];
  if (hasLookup) {
    await p.untilInProgress(key, first);
    repeats = [await p.write({ key, writeId })];
  } else {
    repeats = await Promise.all([1, 2, 3].map(() => p.write({ key, writeId })));
  }
  const all = [await first, ...repeats];
  const effects = await p.effects(writeId);
  const fresh = all.filter((e) => is2xx(e) && !isReplayed(e));
  const conflicts = all.filter((e) => status(e) === 409);
  const freshBody = fresh[0]?.answer?.body;

  const twice = appliedTwice('concurrent', effects, all);
  if (twice) return twice;
  const second = fresh[1];
  if (second && fresh[0])
    return result(
      'concurrent',
      'fail',
      'Two answers 2xx without Idempotent-Replayed to one key: the handler ran a second time.',
      [fresh[0], second],
    );
  const bare = conflicts.find((e) => header(e, 'retry-after') === undefined);
  if (bare) return result('concurrent', 'fail', 'A 409 without Retry-After.', [bare]);
  const wrongReplay = all.find(
    (e) => isReplayed(e) && freshBody !== undefined && e.answer?.body !== freshBody,
  );
  if (wrongReplay && fresh[0])
    return result('concurrent', 'fail', 'A replay whose body differs from the first answer.', [
      fresh[0],
      wrongReplay,
    ]);
  const odd = all.find((e) => !is2xx(e) && status(e) !== 409);
  if (odd)
    return result(
      'concurrent',
      'fail',
      odd.answer
        ? `Answered ${odd.answer.status}: a repeat of a key in progress gets 409, a finished one its replay.`
        : `A request got no answer (${odd.error}).`,
      [odd],
    );
  const conflict = conflicts[0];
  if (!conflict)
    return result(
      'concurrent',
      'n/a',
      'The repeats never overlapped the first request (each came after it finished and got its replay), so 409 could not be seen; no second effect either.',
      all,
    );
  const decided = fresh[0] ? [conflict, fresh[0]] : [conflict];
  return result(
    'concurrent',
    'pass',
    `The repeat sent while the key was in progress got 409 (Retry-After: ${header(conflict, 'retry-after')}); the write ran once.`,
    decided,
  );
}
