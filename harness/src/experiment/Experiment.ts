/**
 * An experiment file, as the harness holds it once `load.ts` has validated it: the target, the writes
 * to send, how to verify their effects, the faults to play, and the steady-state thresholds that say
 * pass or fail (issue 12).
 */
import type { WriteMethod } from '@landed/client';
import type { Fault } from '../scenarios/faults.ts';

export interface Experiment {
  /** Shown in the output. @default the file name */
  name: string;
  /** The target's base URL (http://); the writes go to it through a Toxiproxy proxy. */
  target: string;
  /** Landed clients sending side by side, each its own principal. @default 1 */
  clients: number;
  writes: WritePlan;
  verify: Verification;
  faults: TimedFault[];
  thresholds: Thresholds;
  /** How long, after the last write was handed over and the faults healed, clients may take to finish. @default 30000 */
  drainMs: number;
}

export interface WritePlan {
  /** Writes per client. */
  count: number;
  /** @default 'POST' */
  method: WriteMethod;
  /** Template: `/orders` or `/orders/{{writeId}}`. */
  path: string;
  /** JSON with templates in its strings, e.g. `{ "id": "{{writeId}}" }`. */
  body?: unknown;
  /** Template of the lane a write goes in; writes of one lane are sent in order. @default '{{writeId}}' (no ordering) */
  lane: string;
  /** The writes of each client are spread over this window. @default 3000 */
  spreadMs: number;
}

export type Verification =
  /** `GET <template>` per write: 200 with the stored body, or 404 when it was never applied. */
  | { kind: 'get'; path: string }
  /** The `GET /_chaos/ledger` contract (docs/harness.md): also shows writes applied twice. */
  | { kind: 'ledger' }
  /**
   * A query against the target's own database, read directly: it returns a `writeId` column and,
   * optionally, a `payload` column (the stored body, JSON); one row per application of a write.
   */
  | { kind: 'sql'; database: SqlDatabase; query: string };

/** A SQLite file (resolved against the experiment file's folder) or a PostgreSQL connection string. */
export type SqlDatabase = { sqlite: string } | { postgres: string };

export interface TimedFault {
  /** Milliseconds after the first write. */
  start: number;
  duration: number;
  fault: Fault;
  /** Allows this fault's window to overlap another's. @default false */
  overlap: boolean;
}

export interface Thresholds {
  /** @default 0 */
  maxLost: number;
  /** @default 0 */
  maxDuplicated: number;
  /** @default 0 */
  maxUnresolved: number;
  /** @default 0 */
  maxWrongPayload: number;
  /** 99th percentile of enqueue → final answer, in ms; unchecked when absent. */
  p99Ms?: number | undefined;
  /** Mean attempts per write; unchecked when absent. */
  maxAttemptsPerWrite?: number | undefined;
}
