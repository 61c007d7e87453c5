import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { childrenKilledOnExit, killOnExit } from './kill-on-exit.ts';

test('many children share one exit listener, and each leaves the set when it exits', async () => {
  const listenersBefore = process.listenerCount('exit');
  const children = Array.from({ length: 15 }, () =>
    spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' }),
  );
  for (const child of children) killOnExit(child);
  expect(childrenKilledOnExit()).toBe(15);
  // At most the one listener was added, however many children there are.
  expect(process.listenerCount('exit') - listenersBefore).toBeLessThanOrEqual(1);
  for (const child of children) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  expect(childrenKilledOnExit()).toBe(0);
});
