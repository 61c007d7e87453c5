/**
 * Test-only fault hooks for the chaos harness: 500 before commit, 500 after commit, exit after commit
 * before responding, and a slow request. Off unless enabled explicitly (`faults: { enabled: true }`, or
 * `LANDED_FAULTS=1`), and never on when `NODE_ENV=production`, whatever a request header says.
 * Environment variables and `process.exit` are read only where the runtime has a `process` (Node, Bun,
 * Deno's Node compatibility); elsewhere the hooks follow `enabled` and `exit` alone.
 */
import { IdempotencyError } from '../errors/IdempotencyError.ts';

export type FaultKind = '500-before-commit' | '500-after-commit' | 'exit-after-commit' | `slow:${number}`;

export interface FaultOptions {
  /**
   * Turns the hooks on. Ignored (off) when `NODE_ENV=production`.
   * @default process.env.LANDED_FAULTS === '1'
   */
  enabled?: boolean;
  /**
   * Called by `exit-after-commit` once the transaction has committed, before any byte is answered.
   * @default (code) => process.exit(code), where the runtime has a `process`; otherwise nothing
   */
  exit?: (code: number) => void;
  /**
   * How `slow:<ms>` waits. A test that must see the key in progress holds it here for as long as it
   * needs, instead of racing a real timer.
   * @default a `setTimeout` of `ms` milliseconds
   */
  sleep?: (ms: number) => Promise<void>;
}

/** The programmatic side of the hooks: the harness queues faults without sending headers. */
export interface Faults {
  readonly enabled: boolean;
  /** Queues a fault for the next keyed write. Throws `faults-disabled` when the hooks are off. */
  next(kind: FaultKind): void;
  /** Faults queued and not yet used. */
  readonly queued: readonly FaultKind[];
  clear(): void;
}

export interface FaultRuntime extends Faults {
  /** The fault for this request: the header when present (and enabled), else the next queued one. */
  take(header: string | undefined): FaultKind | undefined;
  exit(code: number): void;
  sleep(ms: number): Promise<void>;
}

export function parseFault(value: string | undefined): FaultKind | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '500-before-commit' || v === '500-after-commit' || v === 'exit-after-commit') return v;
  const slow = /^slow:(\d{1,7})$/.exec(v);
  return slow ? (`slow:${Number(slow[1])}` as FaultKind) : undefined;
}

/** Node's `process` where the runtime has one (Node, Bun, Deno); undefined in a Worker or a browser. */
interface ProcessLike {
  env: Record<string, string | undefined>;
  exit(code: number): void;
}
const runtimeProcess = (): ProcessLike | undefined =>
  (globalThis as { process?: ProcessLike }).process ?? undefined;

export function createFaults(options: FaultOptions = {}): FaultRuntime {
  const env = runtimeProcess()?.env ?? {};
  const production = env.NODE_ENV === 'production';
  const enabled = !production && (options.enabled ?? env.LANDED_FAULTS === '1');
  const queue: FaultKind[] = [];
  const exit = options.exit ?? ((code: number) => runtimeProcess()?.exit(code));
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => void setTimeout(resolve, ms)));
  return {
    enabled,
    get queued() {
      return [...queue];
    },
    next(kind) {
      if (!enabled) {
        throw new IdempotencyError(
          'faults-disabled',
          'Fault hooks are off: enable them with `faults: { enabled: true }` or LANDED_FAULTS=1 (never with NODE_ENV=production).',
        );
      }
      if (!parseFault(kind)) throw new IdempotencyError('invalid-options', `Unknown fault "${kind}".`);
      queue.push(kind);
    },
    clear() {
      queue.length = 0;
    },
    take(header) {
      if (!enabled) return undefined;
      return parseFault(header) ?? queue.shift();
    },
    exit,
    sleep,
  };
}
