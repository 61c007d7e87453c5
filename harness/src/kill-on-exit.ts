/**
 * Child processes the harness started and that are still running (apps, client processes, Chromium,
 * HAProxy): killed if the harness exits first. One `exit` listener serves them all, so a run with many
 * children never warns MaxListenersExceededWarning; a child leaves the set when it exits.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

export function killOnExit(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  if (child.exitCode !== null || child.signalCode !== null) return;
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** How many children would be killed now (for tests). */
export function childrenKilledOnExit(): number {
  return running.size;
}
