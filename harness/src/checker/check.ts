/**
 * The Checker: after the Nemesis healed and every client drained, compares what each client said with
 * what the ledger holds. A write the app was told landed must be in the ledger exactly once; a write
 * the app was told did not land must not be in it; nothing may be in it that nobody wrote; and nothing
 * may be left without an answer. The naive client is checked by the same rules, which is the point.
 */
import { canonicalJson, canonicalText } from './canonical.ts';
import type { ClientKind, History, LedgerRow, VerdictKind } from './history.ts';
import { clientOfPrincipal } from './history.ts';
import { percentileOfSorted } from './percentile.ts';

/** Violation counters: each must be zero for a run to pass. */
export const VIOLATIONS = [
  'lost',
  'duplicated',
  'unexpected',
  'phantom',
  'wrongPayload',
  'inconsistentReplay',
  'unresolved',
] as const;
export type Violation = (typeof VIOLATIONS)[number];

export interface ClientVerdict {
  client: ClientKind;
  /** Writes the client accepted (`enqueue`). */
  writes: number;
  /** Accepted, not in the ledger, and nobody was told (confirmed, or no answer at all). */
  lost: number;
  /** In the ledger more than once. */
  duplicated: number;
  /** Ledger rows no write of this client accounts for. */
  unexpected: number;
  /** The app was told "did not land" (rejected) but the ledger has it: looks failed, succeeded. */
  phantom: number;
  /** The ledger holds a payload other than the one enqueued. */
  wrongPayload: number;
  /** The server gave two different answers for one write, or claimed a replay of nothing. */
  inconsistentReplay: number;
  /** No final answer when the run ended (`unresolved`, or no verdict at all). */
  unresolved: number;
  /** Landed exactly once and confirmed although some attempt failed, was unknown, or was a replay. */
  recovered: number;
  confirmed: number;
  rejected: number;
  /** A person was told to decide: not a violation (the write is accounted for), but worth reading. */
  expired: number;
  attemptsPerWrite: number;
  /**
   * Percentiles of the time from accept to final answer. A write with no final answer counts as never
   * answered (`Infinity`): a run that strands more than 1% of its writes has an infinite p99 instead
   * of looking faster for leaving its slowest writes out.
   */
  resolveMsP50: number;
  resolveMsP99: number;
  passed: boolean;
  /** Up to five write ids per violation, so a person can look them up in the history. */
  examples: Partial<Record<Violation, string[]>>;
}

interface WriteState {
  client: ClientKind;
  enqueued: boolean;
  /** The enqueued payload; compared with the stored text cheaply first, canonically on a mismatch. */
  payload: unknown;
  enqueuedAt: number;
  verdict: VerdictKind | undefined;
  verdictAt: number;
  attempts: number;
  troubled: boolean;
  replayedOk: boolean;
  receipts: Set<number> | undefined;
}

interface RowGroup {
  count: number;
  ids: number[];
  wrongPayload: boolean;
}

const ORDER: ClientKind[] = ['landed', 'naive'];

/** One violation of one write (or, for `unexpected`, one ledger row nobody wrote). */
export interface ViolationFound {
  client: ClientKind;
  kind: Violation;
  writeId: string;
  /** The client's final answer, when it gave one. */
  verdict?: VerdictKind | undefined;
  /** How many ledger rows hold the write. */
  rows: number;
}

/**
 * Checks a History against the ledger. `onViolation`, when given, hears every violation one by one
 * (the verdicts only keep five examples of each), e.g. to report each to Sentry.
 */
export function check(
  history: History,
  ledger: readonly LedgerRow[],
  onViolation?: (found: ViolationFound) => void,
): ClientVerdict[] {
  const writes = new Map<string, WriteState>();
  const clients = new Set<ClientKind>();
  for (const op of history) {
    if (op.type === 'fault') continue;
    clients.add(op.client);
    let w = writes.get(op.writeId);
    if (op.type === 'enqueue') {
      // A restarted client process announces again what it finds in its outbox: the first one counts.
      if (w && !w.enqueued) {
        // Its first attempt was recorded before the enqueue (events of one write can interleave).
        w.enqueued = true;
        w.payload = op.payload;
        w.enqueuedAt = op.at;
      } else if (!w) {
        writes.set(op.writeId, {
          client: op.client,
          enqueued: true,
          payload: op.payload,
          enqueuedAt: op.at,
          verdict: undefined,
          verdictAt: 0,
          attempts: 0,
          troubled: false,
          replayedOk: false,
          receipts: undefined,
        });
      }
      continue;
    }
    if (!w) {
      // Seen before its enqueue: filled in when the enqueue arrives.
      w = {
        client: op.client,
        enqueued: false,
        payload: undefined,
        enqueuedAt: op.at,
        verdict: undefined,
        verdictAt: 0,
        attempts: 0,
        troubled: false,
        replayedOk: false,
        receipts: undefined,
      };
      writes.set(op.writeId, w);
    }
    if (op.receipt !== undefined) {
      w.receipts ??= new Set();
      w.receipts.add(op.receipt);
    }
    if (op.type === 'attempt') {
      w.attempts++;
      if (op.result !== 'ok') w.troubled = true;
      else if (op.replayed) {
        w.troubled = true;
        w.replayedOk = true;
      }
    } else {
      if (op.replayed && op.verdict === 'confirmed') w.replayedOk = true;
      // A final answer is never taken back by a later "still unresolved" from a restarted process.
      if (w.verdict === undefined || w.verdict === 'unresolved') {
        w.verdict = op.verdict;
        w.verdictAt = op.at;
      }
    }
  }

  const rows = new Map<string, RowGroup>();
  const unexpectedByClient = new Map<ClientKind, string[]>();
  for (const row of ledger) {
    const w = writes.get(row.writeId);
    if (!w) {
      const client = clientOfPrincipal(row.principal);
      clients.add(client);
      let list = unexpectedByClient.get(client);
      if (!list) {
        list = [];
        unexpectedByClient.set(client, list);
      }
      list.push(row.writeId);
      continue;
    }
    let g = rows.get(row.writeId);
    if (!g) {
      g = { count: 0, ids: [], wrongPayload: false };
      rows.set(row.writeId, g);
    }
    g.count++;
    g.ids.push(row.id);
    if (!g.wrongPayload && !samePayload(row.payload, w.payload)) g.wrongPayload = true;
  }

  const results = new Map<ClientKind, { v: ClientVerdict; attempts: number; resolve: number[] }>();
  const resultFor = (client: ClientKind) => {
    let r = results.get(client);
    if (!r) {
      r = { v: emptyVerdict(client), attempts: 0, resolve: [] };
      results.set(client, r);
    }
    return r;
  };
  for (const client of clients) resultFor(client);

  for (const [writeId, w] of writes) {
    const r = resultFor(w.client);
    const v = r.v;
    const g = rows.get(writeId);
    const count = g?.count ?? 0;
    const note = (kind: Violation) => {
      v[kind]++;
      v.examples[kind] ??= [];
      const list = v.examples[kind];
      if (list.length < 5) list.push(writeId);
      onViolation?.({ client: w.client, kind, writeId, verdict: w.verdict, rows: count });
    };
    v.writes++;
    r.attempts += w.attempts;
    const answered = w.verdict === 'confirmed' || w.verdict === 'rejected' || w.verdict === 'expired';
    if (!answered) {
      note('unresolved');
      r.resolve.push(Number.POSITIVE_INFINITY);
    } else {
      v[w.verdict as 'confirmed' | 'rejected' | 'expired']++;
      r.resolve.push(w.verdictAt - w.enqueuedAt);
    }
    if (count === 0 && (w.verdict === 'confirmed' || !answered)) note('lost');
    if (count > 1) note('duplicated');
    if (count > 0 && w.verdict === 'rejected') note('phantom');
    if (g?.wrongPayload) note('wrongPayload');
    if (inconsistent(w, g)) note('inconsistentReplay');
    if (count === 1 && w.verdict === 'confirmed' && w.troubled) v.recovered++;
  }
  for (const [client, ids] of unexpectedByClient) {
    const v = resultFor(client).v;
    v.unexpected += ids.length;
    v.examples.unexpected = ids.slice(0, 5);
    if (onViolation) for (const writeId of ids) onViolation({ client, kind: 'unexpected', writeId, rows: 1 });
  }

  const out: ClientVerdict[] = [];
  for (const { v, attempts, resolve } of results.values()) {
    v.attemptsPerWrite = v.writes === 0 ? 0 : attempts / v.writes;
    resolve.sort((a, b) => (a === b ? 0 : a - b));
    v.resolveMsP50 = percentileOfSorted(resolve, 50);
    v.resolveMsP99 = percentileOfSorted(resolve, 99);
    v.passed = VIOLATIONS.every((k) => v[k] === 0);
    out.push(v);
  }
  return out.sort((a, b) => rank(a.client) - rank(b.client) || a.client.localeCompare(b.client));
}

function inconsistent(w: WriteState, g: RowGroup | undefined): boolean {
  // "Applied earlier" must point at something that was applied.
  if (w.replayedOk && !g) return true;
  if (!w.receipts) return false;
  // One write, one effect, one answer: every response must name the same ledger row, and that row must
  // be this write's.
  if (w.receipts.size > 1) return true;
  for (const receipt of w.receipts) if (!g?.ids.includes(receipt)) return true;
  return false;
}

function samePayload(stored: string, enqueued: unknown): boolean {
  // Most apps store the body as sent: equal text needs no canonical form.
  return stored === JSON.stringify(enqueued) || canonicalText(stored) === canonicalJson(enqueued);
}

function rank(client: ClientKind): number {
  const i = ORDER.indexOf(client);
  return i === -1 ? ORDER.length : i;
}

function emptyVerdict(client: ClientKind): ClientVerdict {
  return {
    client,
    writes: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    phantom: 0,
    wrongPayload: 0,
    inconsistentReplay: 0,
    unresolved: 0,
    recovered: 0,
    confirmed: 0,
    rejected: 0,
    expired: 0,
    attemptsPerWrite: 0,
    resolveMsP50: Number.NaN,
    resolveMsP99: Number.NaN,
    passed: true,
    examples: {},
  };
}
