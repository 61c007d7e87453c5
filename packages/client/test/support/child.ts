import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

export interface ScriptChild {
  child: ChildProcess;
  /** Every complete line the child printed so far. */
  lines: string[];
  /** The first line; rejects if the child exits before printing one. */
  firstLine: Promise<string>;
  /** The exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Resolves once `check` holds for the lines printed so far; rejects if the child exits first. */
  until(check: (lines: readonly string[]) => boolean): Promise<void>;
}

/**
 * Runs `script` (an ES module) in a new Node process with `args`, collecting its stdout by line. The
 * script is written to `file` and removed when the child exits.
 */
export function runScript(file: string, script: string, args: string[]): ScriptChild {
  writeFileSync(file, script);
  const child = spawn(process.execPath, ['--conditions=landed-source', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(file, { force: true });
      resolve(code);
    }),
  );
  const waiters = new Set<{ check: (lines: readonly string[]) => boolean; resolve: () => void }>();
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > 0) resolve(lines[0] as string);
      for (const waiter of waiters) if (waiter.check(lines)) waiter.resolve();
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before it reported: ${stderr}`)));
  });
  firstLine.catch(() => {});
  const until = (check: (lines: readonly string[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (check(lines)) return resolve();
      const waiter = {
        check,
        resolve: () => {
          waiters.delete(waiter);
          resolve();
        },
      };
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.delete(waiter)) return;
        reject(new Error(`child exited (${code}) before it printed what was awaited: ${stderr}`));
      });
    });
  return { child, lines, firstLine, exited, until };
}
