/**
 * The History a scenario writes as it runs, with what the progress line shows: final answers so far
 * out of the writes planned, and the faults active now. Shared by the single-app and fleet runners.
 */
import type { FaultOp, History, Op } from '../checker/history.ts';

export type OnProgress = (resolved: number, planned: number, faults: readonly string[]) => void;

export function historyRecorder(
  planned: number,
  onProgress?: OnProgress,
  onFault?: (op: FaultOp) => void,
): { history: History; active: readonly string[]; record: (op: Op) => void } {
  const history: History = [];
  const active: string[] = [];
  let resolved = 0;
  const record = (op: Op) => {
    history.push(op);
    if (op.type === 'fault') {
      if (op.phase === 'start') active.push(op.name);
      else if (active.includes(op.name)) active.splice(active.indexOf(op.name), 1);
      onFault?.(op);
      onProgress?.(resolved, planned, active);
    }
    if (op.type === 'verdict' && op.verdict !== 'unresolved') onProgress?.(++resolved, planned, active);
  };
  return { history, active, record };
}
