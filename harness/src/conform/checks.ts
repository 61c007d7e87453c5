/**
 * The protocol's server rules (docs/protocol.md, "Responses"), each as a check that probes the target
 * and says pass, fail or not applicable with the exchanges that decided it. A check never guesses: an
 * answer that cannot tell (no overlap happened, no lookup route) is "not applicable", not a pass.
 */
import { type Exchange, echoedKey, header, is2xx, isReplayed, status } from './exchange.ts';
import type { Probe } from './Probe.ts';

export const CHECKS = {
  'key-echoed': 'echoes the Idempotency-Key it processed',
  replay: 'replays a repeat: same status and body, Idempotent-Replayed: true',
  concurrent: 'answers a concurrent repeat 409 with Retry-After, never a second effect',
  'payload-mismatch': 'answers the same key with another payload 422',
  'missing-key': 'answers a write without a key 400',
  retention: 'publishes Idempotency-Retention (seconds)',
  lookup: 'answers GET {lookupPath}/{key} with the key',
  'principal-scope': 'keeps keys per principal: two principals, one key, two effects',
} as const;

export type CheckId = keyof typeof CHECKS;
export type CheckStatus = 'pass' | 'fail' | 'n/a';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** In plain words: what the server did, and for a failure what the protocol asks instead. */
  why: string;
  /** The requests and answers that decided it. */
  decidedBy: Exchange[];
}

export function result(id: CheckId, status: CheckStatus, why: string, decidedBy: Exchange[]): CheckResult {
  return { id, title: CHECKS[id], status, why, decidedBy };
}

const answered = (e: Exchange) => (e.answer ? `answered ${e.answer.status}` : `got no answer (${e.error})`);

/** The first write the others build on: one key, one write id, principal A. */
export interface FirstWrite {
  key: string;
  writeId: string;
  exchange: Exchange;
}

export function keyEchoed(p: Probe): CheckResult {
  const seen = p.keyed.filter((k) => k.exchange.answer);
  const wrong = seen.find((k) => echoedKey(k.exchange) !== k.key);
  if (wrong) {
    const echoed = echoedKey(wrong.exchange);
    return result(
      'key-echoed',
      'fail',
      echoed === undefined
        ? 'The answer carries no Idempotency-Key: a Landed client cannot tell it from a proxy or cache answering, so it never confirms the write (it stays uncertain and is retried).'
        : `The answer echoes another key (${echoed}): a Landed client never takes it as the answer to its write.`,
      [wrong.exchange],
    );
  }
  const first = seen[0];
  if (!first) return result('key-echoed', 'n/a', 'No keyed write was answered.', []);
  return result('key-echoed', 'pass', `All ${seen.length} answers to keyed writes echoed their key.`, [
    first.exchange,
  ]);
}

export function retention(p: Probe): CheckResult {
  const seen = p.keyed.filter((k) => k.exchange.answer).map((k) => k.exchange);
  const wrong = seen.find((e) => !/^\d+$/.test(header(e, 'idempotency-retention')?.trim() ?? ''));
  if (wrong) {
    const value = header(wrong, 'idempotency-retention');
    return result(
      'retention',
      'fail',
      value === undefined
        ? 'No Idempotency-Retention header: a client cannot know when the server forgets a key, so it must trust its own setting (re-sending past the real window applies a write twice).'
        : `Idempotency-Retention is "${value}", not a number of seconds.`,
      [wrong],
    );
  }
  const first = seen[0];
  if (!first) return result('retention', 'n/a', 'No keyed write was answered.', []);
  return result(
    'retention',
    'pass',
    `Every answer published a retention of ${header(first, 'idempotency-retention')} s.`,
    [first],
  );
}

/** A failure when the target's own record shows the write applied more than once, else undefined. */
export function appliedTwice(
  id: CheckId,
  effects: number | undefined,
  decidedBy: Exchange[],
): CheckResult | undefined {
  if (effects === undefined || effects <= 1) return undefined;
  return result(id, 'fail', `The server applied the write ${effects} times (its ledger says so).`, decidedBy);
}

export async function replay(p: Probe, first: FirstWrite): Promise<CheckResult> {
  const again = await p.write({ key: first.key, writeId: first.writeId });
  const both = [first.exchange, again];
  const effects = await p.effects(first.writeId);
  if (!again.answer) return result('replay', 'fail', `The repeat ${answered(again)}.`, both);
  const sameBody = again.answer.body === first.exchange.answer?.body;
  const twice = appliedTwice('replay', effects, both);
  if (twice) return twice;
  if (again.answer.status !== first.exchange.answer?.status)
    return result(
      'replay',
      'fail',
      `The repeat was answered ${again.answer.status}, the first ${first.exchange.answer?.status}: a replay answers the stored status.`,
      both,
    );
  if (!sameBody)
    return result(
      'replay',
      'fail',
      isReplayed(again)
        ? 'Marked Idempotent-Replayed, but the body differs from the first answer.'
        : 'A different body and no Idempotent-Replayed: the server applied the write a second time instead of replaying it.',
      both,
    );
  if (!isReplayed(again))
    return result(
      'replay',
      'fail',
      'The same answer, but without Idempotent-Replayed: true (the client cannot tell a replay from a second effect).',
      both,
    );
  return result(
    'replay',
    'pass',
    'The repeat got the stored answer, marked Idempotent-Replayed: true.',
    both,
  );
}

export async function payloadMismatch(p: Probe, first: FirstWrite): Promise<CheckResult> {
  const other = await p.write({ key: first.key, writeId: p.newWriteId() });
  const s = status(other);
  if (s === 422) return result('payload-mismatch', 'pass', 'The reused key was refused with 422.', [other]);
  return result(
    'payload-mismatch',
    'fail',
    other.answer && is2xx(other)
      ? `Answered ${s} to the same key with another body: a reused key must be refused (422), not applied or replayed.`
      : `The same key with another body ${answered(other)}; the protocol asks for 422.`,
    [other],
  );
}

export async function missingKey(p: Probe): Promise<CheckResult> {
  const plain = await p.write({ key: undefined, writeId: p.newWriteId() });
  const s = status(plain);
  if (s === 400) return result('missing-key', 'pass', 'A write without a key was refused with 400.', [plain]);
  if (plain.answer && is2xx(plain))
    return result(
      'missing-key',
      'n/a',
      `Applied without a key (${s}): this route does not require one. Landed clients always send a key.`,
      [plain],
    );
  return result(
    'missing-key',
    'fail',
    `A write without a key ${answered(plain)}; a route that requires a key answers 400.`,
    [plain],
  );
}

export async function lookup(p: Probe, first: FirstWrite): Promise<CheckResult> {
  if (p.settings.lookupPath === null)
    return result('lookup', 'n/a', 'No lookup route (--lookup-path none).', []);
  const hit = await p.lookup(first.key);
  const bodyOf = (e: Exchange): { key?: unknown; status?: unknown } => {
    try {
      return JSON.parse(e.answer?.body ?? '') as { key?: unknown; status?: unknown };
    } catch {
      return {};
    }
  };
  const carries = (e: Exchange, key: string) => echoedKey(e) === key || bodyOf(e).key === key;
  const s = status(hit);
  if ((s === 404 || s === 405 || s === 501) && !carries(hit, first.key))
    return result(
      'lookup',
      'n/a',
      `No lookup route at ${p.settings.lookupPath}/{key} (${s} without the key). Landed clients then hand writes past the retention window to a person (lookupPath: null).`,
      [hit],
    );
  if (s !== 200 || !carries(hit, first.key))
    return result(
      'lookup',
      'fail',
      `The lookup of a finished key ${answered(hit)}${s === 200 ? ' without the key (neither echoed nor as "key")' : ''}; the protocol asks for 200 with the key and the stored status.`,
      [hit],
    );
  if (bodyOf(hit).status !== first.exchange.answer?.status)
    return result(
      'lookup',
      'fail',
      `The lookup's "status" is ${JSON.stringify(bodyOf(hit).status)}, the write was answered ${first.exchange.answer?.status}.`,
      [hit],
    );
  const unused = p.newKey();
  const miss = await p.lookup(unused);
  if (status(miss) !== 404 || !carries(miss, unused))
    return result(
      'lookup',
      'fail',
      `The lookup of a key never used ${answered(miss)}${carries(miss, unused) ? '' : ' without the key'}; the protocol asks for 404 with the key.`,
      [hit, miss],
    );
  return result('lookup', 'pass', 'A finished key: 200 with its status; a key never used: 404.', [hit, miss]);
}

export async function principalScope(p: Probe, first: FirstWrite): Promise<CheckResult> {
  const other = await p.write({ key: first.key, writeId: first.writeId, principal: 1 });
  const leak =
    "Principal B was answered with principal A's stored response: keys are not kept per principal, so one user can read another's answer (or the server does not read the principal from Authorization: pass your own with --auth).";
  if (!other.answer || !is2xx(other))
    return result(
      'principal-scope',
      'fail',
      `Principal B's write with principal A's key ${answered(other)}: A's key must not block B.`,
      [other],
    );
  if (isReplayed(other) || other.answer.body === first.exchange.answer?.body)
    return result('principal-scope', 'fail', leak, [first.exchange, other]);
  const again = await p.write({ key: first.key, writeId: first.writeId, principal: 1 });
  if (!isReplayed(again) || again.answer?.body !== other.answer.body)
    return result(
      'principal-scope',
      'fail',
      again.answer?.body === first.exchange.answer?.body
        ? leak
        : `Principal B's repeat was not replayed (${again.answer ? again.answer.status : again.error}${isReplayed(again) ? ', another body' : ', no Idempotent-Replayed'}): B's key was not kept.`,
      [other, again],
    );
  const effects = await p.effects(first.writeId);
  if (effects !== undefined && effects !== 2)
    return result(
      'principal-scope',
      'fail',
      `The ledger holds ${effects} effect(s) of the write; two principals with one key make two.`,
      [other, again],
    );
  return result(
    'principal-scope',
    'pass',
    'Two principals, one key: two effects, each replayed its own answer.',
    [other, again],
  );
}
