/**
 * The History a chaos run records, in Jepsen's vocabulary: what each client was asked to do
 * (`enqueue`), every attempt it made (`ok` applied, `fail` definitely not applied, `info` unknown), the
 * final answer it gave the app (`verdict`), and every fault the Nemesis injected. The Checker compares
 * it with the truth read from the ledger after healing and draining.
 */
import type { JsonValue } from '@landed/client';

/** `landed` is the SDK under test, `naive` the ky + p-retry client beside it on the same faults. */
export type ClientKind = 'landed' | 'naive' | (string & {});

export interface EnqueueOp {
  type: 'enqueue';
  at: number;
  client: ClientKind;
  writeId: string;
  /** The idempotency key, when the client has one (the naive client does not). */
  key?: string;
  payload: JsonValue;
}

export interface AttemptOp {
  type: 'attempt';
  at: number;
  client: ClientKind;
  writeId: string;
  result: 'ok' | 'fail' | 'info';
  status?: number;
  replayed?: boolean;
  /** The ledger row id the server answered with (`receipt` in the body), when the client saw one. */
  receipt?: number;
}

/**
 * - `confirmed`: the app was told the write landed;
 * - `rejected`: the app was told it did not land (a refusal, or the naive client giving up);
 * - `expired`: a person was told to decide;
 * - `unresolved`: the client still had no answer when the run ended.
 */
export type VerdictKind = 'confirmed' | 'rejected' | 'expired' | 'unresolved';

export interface VerdictOp {
  type: 'verdict';
  at: number;
  client: ClientKind;
  writeId: string;
  verdict: VerdictKind;
  status?: number;
  replayed?: boolean;
  receipt?: number;
}

export interface FaultOp {
  type: 'fault';
  at: number;
  phase: 'start' | 'stop';
  /** e.g. `timeout downstream`, `proxy down`, `500-after-commit`, `kill landed#1`. */
  name: string;
}

export type Op = EnqueueOp | AttemptOp | VerdictOp | FaultOp;
export type History = Op[];

/** One row of the reference app's append-only ledger (no unique constraint, so duplicates show). */
export interface LedgerRow {
  id: number;
  writeId: string;
  key: string | null;
  op: string;
  /** The business payload as the app stored it (JSON text). */
  payload: string;
  /** `<client>:<instance>`: which client (and which of its processes) wrote it. */
  principal: string;
  at: number;
}

/** The principal a client instance writes under; the Checker reads the client kind back from it. */
export function principalOf(client: ClientKind, instance: number): string {
  return `${client}:${instance}`;
}

/** Landed's own client kinds (the SDK under test, whose violations fail a run): Node and browser builds. */
export function isLanded(client: ClientKind): boolean {
  return client === 'landed' || client === 'landed-browser';
}

export function clientOfPrincipal(principal: string): ClientKind {
  const colon = principal.indexOf(':');
  return colon === -1 ? principal : principal.slice(0, colon);
}
