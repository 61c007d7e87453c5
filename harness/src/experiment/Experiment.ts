/**
 * An experiment file, as the harness holds it once `load.ts` has validated it: the target, the
 * clients and the writes they send, how to verify their effects, the scenarios (each a fault
 * schedule, fixed, drawn from a seed or searched by fast-check), and the steady-state thresholds that
 * say pass or fail (issue 12). The built-in museum matrix is one such file
 * (`harness/experiments/museum.yaml`).
 */
import type { WriteMethod } from '@landed/client';
import type { ClientKind } from '../checker/history.ts';
import type { Fault } from '../scenarios/faults.ts';

export interface Experiment {
  /** Shown in the output. @default the file name */
  name: string;
  /**
   * The target's base URL (http://), which the writes reach through a Toxiproxy proxy, or
   * `reference`: the harness starts the reference app for each scenario (SQLite, or PostgreSQL behind
   * a second proxy with `DATABASE_URL`).
   */
  target: string;
  /** Clients of each kind, each its own principal (`<kind>:<client>`). @default 1 */
  clients: number;
  /** `landed` (the SDK under test) and `naive` (ky + p-retry, no key, no outbox: the contrast). @default ['landed'] */
  kinds: ClientKind[];
  writes: WritePlan;
  verify: Verification;
  /** The faults of a file without `scenarios` (its one scenario, named after the experiment). */
  faults: TimedFault[];
  /** Run one after another; a file without `scenarios` has one, named after the experiment. */
  scenarios: Scenario[];
  /** What `draw` and `search` scenarios pick faults from. @default [] */
  menu: Fault[];
  thresholds: Thresholds;
  /** How long, after the last write was handed over and the faults healed, clients may take to finish. @default 30000 */
  drainMs: number;
  /** The sizes `--full` uses instead (each one absent keeps the normal size). */
  full: { clients?: number; writes?: number; runs?: number; drainMs?: number };
  /** A scenario the stack cannot play (no PostgreSQL, no fault hooks): `stop` the run, or `skip` it with a note. @default 'stop' */
  unsupported: 'stop' | 'skip';
  /**
   * N (≥ 2) reference apps on one PostgreSQL behind HAProxy instead of one, and the fleet scenarios
   * (`instance-kill`, `split-retry`, `db-failover-ish`) beside this file's, as `--fleet N` runs them;
   * `--fleet` on the command line wins. Only with `target: reference`.
   */
  fleet?: number | undefined;
}

/** One kind of write; a `sequence` takes them in turn (write n is item n mod its length). */
export interface WriteTemplate {
  /** @default 'POST' */
  method: WriteMethod;
  /** Template: `/orders` or `/orders/{{writeId}}`. */
  path: string;
  /** JSON with templates in its strings, e.g. `{ "id": "{{writeId}}" }`. */
  body?: unknown;
}

export interface WritePlan {
  /** Writes per client. */
  count: number;
  /** The method of every write (a `sequence` item may say its own). @default 'POST' */
  method: WriteMethod;
  /** The one kind of write of a plain experiment (absent with a `sequence`). */
  path?: string | undefined;
  body?: unknown;
  /** The writes, taken in turn: `path` and `body` above make a sequence of one. */
  sequence: WriteTemplate[];
  /** Template of each write's id, unique per write. @default '{{run}}-{{client}}-{{n}}' ('{{run}}-{{kind}}-{{client}}-{{n}}' with several kinds) */
  writeId: string;
  /** Named templates, usable as `{{name}}` in the others (rendered in order). @default {} */
  fields: Record<string, string>;
  /** Template of the lane a write goes in; writes of one lane are sent in order. @default '{{writeId}}' (no ordering) */
  lane: string;
  /**
   * The writes of each client are spread over this window (ms), or over one that grows with the
   * writes: `perWrite` ms per write and client, at least `min`. @default 3000
   */
  spreadMs: number | { perWrite: number; min: number };
}

export type Verification =
  /** `GET <template>` per write: 200 with the stored body, or 404 when it was never applied. */
  | { kind: 'get'; path: string }
  /**
   * The ledger: `GET /_chaos/ledger` (docs/harness.md) on a URL target, the database itself for the
   * reference app; only rows appended during the scenario count, so writes applied twice show.
   */
  | { kind: 'ledger' }
  /**
   * A query against the target's own database, read directly: it returns a `writeId` column and,
   * optionally, a `payload` column (the stored body, JSON); one row per application of a write.
   */
  | { kind: 'sql'; database: SqlDatabase; query: string };

/** A SQLite file (resolved against the experiment file's folder) or a PostgreSQL connection string. */
export type SqlDatabase = { sqlite: string } | { postgres: string };

export interface Scenario {
  name: string;
  /** What passing it proves, in one sentence (the HTML report prints it). */
  proves?: string | undefined;
  /** The fixed schedule (empty for `draw` and `search`). */
  faults: TimedFault[];
  /** `mixed`: one schedule of `min`–`max` menu faults drawn from the run's seed. */
  draw?: { min: number; max: number } | undefined;
  /** `random`: fast-check tries `runs` schedules of `min`–`max` menu faults and shrinks a failing one. */
  search?: { min: number; max: number; runs: number } | undefined;
  /** This scenario's sizes instead of the experiment's (`full` and the command line still win). */
  clients?: number | undefined;
  writes?: number | undefined;
}

/** A fault and when it acts: milliseconds after the first write, or shares of the writes' window. */
export type TimedFault = (
  | { start: number; duration: number }
  /** Each `[from, to]` pair (fractions of the window) is one window of the fault. */
  | { during: [number, number][] }
) & {
  fault: Fault;
  /** Allows this fault's windows to overlap another's. @default false */
  overlap: boolean;
};

export interface Thresholds {
  /** Lost writes, including "told failed, but applied" (phantom). @default 0 */
  maxLost: number;
  /** @default 0 */
  maxDuplicated: number;
  /** @default 0 */
  maxUnresolved: number;
  /** @default 0 */
  maxWrongPayload: number;
  /** Rows nobody wrote (ledger and SQL verification). @default 0 */
  maxUnexpected: number;
  /** Two different answers for one write, or a replay of something never applied. @default 0 */
  maxInconsistentReplay: number;
  /** 99th percentile of enqueue → final answer, in ms; unchecked when absent. */
  p99Ms?: number | undefined;
  /** Mean attempts per write; unchecked when absent. */
  maxAttemptsPerWrite?: number | undefined;
}
