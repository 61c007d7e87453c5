/**
 * `landed-chaos conform`: probes a server's Idempotency-Key behaviour directly, the way a protocol test
 * suite checks a server, and returns the checklist. `run` calls it too before any fault, so a target
 * that does not speak the protocol is named as such instead of showing up as lost writes.
 */
import { HarnessError } from '../toxiproxy/errors.ts';
import {
  CHECKS,
  type CheckId,
  type CheckResult,
  keyEchoed,
  lookup,
  missingKey,
  payloadMismatch,
  principalScope,
  replay,
  retention,
} from './checks.ts';
import { concurrentRepeat } from './concurrent.ts';
import { type Exchange, exchange, is2xx } from './exchange.ts';
import { Probe, type ProbeSettings } from './Probe.ts';

export type ConformOptions = Pick<ProbeSettings, 'target'> & Partial<Omit<ProbeSettings, 'target'>>;

export const DEFAULT_PATH = '/orders';
export const DEFAULT_BODY = '{"writeId":"{{writeId}}","item":"landed-conform"}';

export interface ConformReport {
  target: string;
  path: string;
  /** The body template the probe writes used. */
  body: string;
  /** In the order of `CHECKS`. */
  checks: CheckResult[];
  /** Set when the first probe write was not accepted: then nothing could be checked. */
  refused?: Exchange;
}

/**
 * The rules without which a Landed client cannot confirm a write or keep it from applying twice: a
 * target failing one of them "does not speak the protocol".
 */
export const ESSENTIAL: readonly CheckId[] = ['key-echoed', 'replay', 'concurrent', 'payload-mismatch'];

export function speaksProtocol(report: ConformReport): boolean {
  return !report.refused && report.checks.every((c) => !(ESSENTIAL.includes(c.id) && c.status === 'fail'));
}

/** Throws `TARGET_UNREACHABLE` when nothing answers HTTP at `target` (before anything else starts). */
export async function assertReachable(target: string, timeoutMs = 5_000): Promise<void> {
  const e = await exchange(new URL(target).origin, '/', { method: 'GET', timeoutMs });
  if (!e.answer)
    throw new HarnessError(
      'TARGET_UNREACHABLE',
      `Nothing answers HTTP at ${target} (${e.error}): is your server running, on that host and port?`,
    );
}

export async function conform(options: ConformOptions): Promise<ConformReport> {
  const run = Math.random().toString(36).slice(2, 8);
  const p = new Probe({
    path: DEFAULT_PATH,
    body: DEFAULT_BODY,
    lookupPath: '/idempotency',
    principals: [`Bearer landed-conform-a-${run}`, `Bearer landed-conform-b-${run}`],
    timeoutMs: 10_000,
    holdMs: 3_000,
    ...options,
  });
  await assertReachable(p.base, p.settings.timeoutMs);
  const base = { target: options.target, path: p.settings.path, body: p.settings.body };
  const firstKey = p.newKey();
  const firstId = p.newWriteId();
  const firstExchange = await p.write({ key: firstKey, writeId: firstId });
  if (!is2xx(firstExchange)) return { ...base, checks: [], refused: firstExchange };
  const first = { key: firstKey, writeId: firstId, exchange: firstExchange };

  const found: CheckResult[] = [];
  found.push(await replay(p, first));
  found.push(await payloadMismatch(p, first));
  found.push(await missingKey(p));
  const lookupResult = await lookup(p, first);
  found.push(lookupResult);
  found.push(await concurrentRepeat(p, lookupResult.status === 'pass'));
  found.push(await principalScope(p, first));
  // Decided over every keyed answer above, not only the first.
  found.push(keyEchoed(p), retention(p));
  const order = Object.keys(CHECKS) as CheckId[];
  return { ...base, checks: found.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)) };
}
