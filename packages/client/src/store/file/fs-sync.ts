import { open } from 'node:fs/promises';

/**
 * fsyncs a directory so that a file created or renamed in it survives a power cut: fdatasync on the
 * file makes its bytes durable, not its name.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf` at `position` (a write may be short, e.g. as a disk fills up). */
export async function writeAll(
  fh: {
    write(
      buffer: Buffer,
      offset: number,
      length: number,
      position: number,
    ): Promise<{ bytesWritten: number }>;
  },
  buf: Buffer,
  position: number,
): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset, position + offset);
    if (bytesWritten === 0) throw Object.assign(new Error('short write: no bytes written'), { code: 'EIO' });
    offset += bytesWritten;
  }
}
