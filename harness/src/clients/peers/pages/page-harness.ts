/**
 * What every peer page shares: its identity from the URL, the channel its History ops go back to
 * the harness by (`__landedRecord`, a Playwright binding), and the workload clock — each write taken
 * at its moment, one after another, the next only once the library has accepted the previous one
 * (as the Landed runner awaits `write()`).
 */
import type { Op } from '../../../checker/history.ts';
import type { PlannedWrite } from '../../workload.ts';

const params = new URLSearchParams(location.search);
export const kind = params.get('kind') ?? 'unknown';
export const principal = params.get('principal') ?? 'anonymous';

type Binding = (op: Op) => Promise<void>;

/** Writes accepted and not yet answered. */
export const open = new Set<string>();
/** Writes answered, even before their enqueue was recorded (a library may answer first). */
const answered = new Set<string>();
const wakers = new Set<() => void>();

export function record(op: Op): void {
  if (op.type === 'enqueue' && !answered.has(op.writeId)) open.add(op.writeId);
  if (op.type === 'verdict') {
    answered.add(op.writeId);
    open.delete(op.writeId);
    if (open.size === 0) for (const wake of wakers) wake();
  }
  void (globalThis as unknown as { __landedRecord: Binding }).__landedRecord(op);
}

/** Resolves once every accepted write has its answer, or after `timeoutMs`. */
export function settled(timeoutMs: number): Promise<void> {
  if (open.size === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, timeoutMs);
    wakers.add(wake);
  });
}

export function receiptOf(body: unknown): number | undefined {
  const receipt = (body as { receipt?: unknown } | null | undefined)?.receipt;
  return typeof receipt === 'number' ? receipt : undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Runs `accept` for each write at its slot; resolves once every write was handed over. */
export async function paced(
  writes: readonly PlannedWrite[],
  spreadMs: number,
  accept: (w: PlannedWrite) => Promise<void>,
): Promise<void> {
  const start = Date.now();
  const gap = writes.length > 1 ? spreadMs / writes.length : 0;
  for (const [i, w] of writes.entries()) {
    await sleep(start + i * gap - Date.now());
    await accept(w);
  }
}

/** An attempt's result from an HTTP status, as the Checker reads it. */
export const resultOf = (status: number): 'ok' | 'fail' | 'info' =>
  status < 300
    ? 'ok'
    : status < 500 && status !== 408 && status !== 409 && status !== 425 && status !== 429
      ? 'fail'
      : 'info';

export interface PeerPage {
  run(writes: PlannedWrite[], spreadMs: number): Promise<void>;
  /** Resolves once the page has nothing more to do, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

/** Publishes the page's API for the harness and marks it ready. */
export function expose(api: PeerPage): void {
  (globalThis as unknown as { peer: PeerPage }).peer = api;
  document.title = 'ready';
}
