// A disk that fills up and a directory that is read-only, for real: a tiny tmpfs mounted for the test
// (root is needed to mount; root also ignores chmod, which is why read-only is a remount). The app
// must get a stable code, nothing of the failed commit may be accepted, and what was committed
// before stays intact on disk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStore } from '@landed/client/node';
import { afterAll, describe, expect, it } from 'vitest';
import { storedEntry } from './support/entries.ts';

const mountPoint = mkdtempSync(join(tmpdir(), 'landed-tmpfs-'));
let mountError: string | undefined;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { stdio: 'pipe' });
} catch (error) {
  mountError = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
  console.warn(
    `file-store disk tests skipped: cannot mount a tmpfs here (${mountError}); run as root to test disk-full and read-only for real`,
  );
}

function remount(options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, mountPoint], { stdio: 'pipe' });
}

afterAll(() => {
  if (mountError === undefined) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const entry = (id: string, body: string) => storedEntry(id, { url: 'https://api.example/objects', body });

describe.skipIf(mountError !== undefined)('fileStore on a real full or read-only disk', () => {
  it('disk full: STORE_QUOTA_EXCEEDED, the failed entry is not accepted, earlier ones survive, writing resumes once space is freed', async () => {
    const dir = join(mountPoint, 'full');
    const filler = join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(64 * 1024));
    const store = fileStore({ dir, compactAfterBytes: 1024 * 1024 });
    await store.load();
    const body = 'o'.repeat(4000);
    const accepted: string[] = [];
    let failure: unknown;
    for (let i = 0; i < 200 && failure === undefined; i++) {
      await store.commit({ put: [entry(`e${i}`, body)] }).then(
        () => accepted.push(`e${i}`),
        (error: unknown) => (failure = error),
      );
    }
    expect(failure).toMatchObject({
      code: 'STORE_QUOTA_EXCEEDED',
      message: expect.stringMatching(/full \(ENOSPC\).*not accepted/),
    });
    expect(accepted.length).toBeGreaterThan(5);
    const failedId = `e${accepted.length}`;
    expect(await store.getEntry(failedId)).toBeUndefined();
    expect((await store.load()).entries).toHaveLength(accepted.length);
    expect(store.stats.failedCommits).toBe(1);

    // Concurrent commits in one group all fail together, and none is half-accepted.
    const burst = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => store.commit({ put: [entry(`burst${i}`, body)] })),
    );
    expect(burst.every((r) => r.status === 'rejected')).toBe(true);
    expect((await store.load()).entries).toHaveLength(accepted.length);

    rmSync(filler);
    await store.commit({ put: [entry('after-space-freed', body)] });
    await store.close();

    const again = fileStore({ dir });
    const { entries, quarantined } = await again.load();
    expect(quarantined).toEqual([]);
    expect(entries.map((e) => e.id).sort()).toEqual([...accepted, 'after-space-freed'].sort());
    expect(entries.every((e) => e.body === body)).toBe(true);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('read-only directory: entries still load, every commit fails with STORE_WRITE_FAILED, nothing is lost', async () => {
    const dir = join(mountPoint, 'ro');
    const store = fileStore({ dir });
    await store.commit({ put: [entry('before-1', 'a')] });
    await store.commit({
      put: [entry('before-2', 'b')],
      log: [{ type: 'transition', at: 1, entryId: 'before-2', from: null, to: 'queued' }],
    });
    await store.close();

    remount('ro');
    try {
      const readOnly = fileStore({ dir });
      const { entries } = await readOnly.load();
      expect(entries.map((e) => e.id).sort()).toEqual(['before-1', 'before-2']);
      expect(await readOnly.readLog('before-2')).toHaveLength(1);
      await expect(readOnly.commit({ put: [entry('during', 'c')] })).rejects.toMatchObject({
        code: 'STORE_WRITE_FAILED',
        message: expect.stringContaining('read-only'),
      });
      await expect(readOnly.commit({ put: [entry('before-1', 'changed')] })).rejects.toMatchObject({
        code: 'STORE_WRITE_FAILED',
      });
      expect(await readOnly.getEntry('during')).toBeUndefined();
      expect((await readOnly.getEntry('before-1'))?.body).toBe('a');
      await readOnly.close();
    } finally {
      remount('rw');
    }

    const again = fileStore({ dir });
    const { entries } = await again.load();
    expect(entries.map((e) => `${e.id}:${e.body}`).sort()).toEqual(['before-1:a', 'before-2:b']);
    await again.commit({ put: [entry('after', 'd')] });
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a directory that cannot be created on a read-only disk: STORE_UNAVAILABLE', async () => {
    remount('ro');
    try {
      const store = fileStore({ dir: join(mountPoint, 'never-made') });
      await expect(store.load()).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining('never-made'),
      });
    } finally {
      remount('rw');
    }
  });
});
