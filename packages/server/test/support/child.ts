/** Starting and stopping `child-server.ts` processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const nodeBin = join(root, 'node_modules', '.bin', 'node');

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Resolves when the child printed `line`. */
  waitFor(line: string): Promise<void>;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  /** Sets the clock of a child started with CLOCK_MS; resolves once the child uses it. */
  setClock(ms: number): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startChild(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(nodeBin, ['--conditions=landed-source', join(import.meta.dirname, 'child-server.ts')], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
    for (const w of waiters) if (output.includes(w.line)) w.resolve();
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const waitFor = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(line)) return resolve();
      waiters.push({ line, resolve });
      void exited.then((how) => reject(new Error(`child exited (${how}) before printing ${line}`)));
    });
  const setClock = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const answered = (message: { clock?: number }) => {
        if (message?.clock !== ms) return;
        child.off('message', answered);
        resolve();
      };
      child.on('message', answered);
      child.send({ clock: ms }, (error) => error && reject(error));
      void exited.then((how) => reject(new Error(`child exited (${how}) before its clock was set`)));
    });
  await waitFor('LISTENING');
  const port = /LISTENING (\d+)/.exec(output)?.[1];
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    waitFor,
    exited,
    setClock,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
