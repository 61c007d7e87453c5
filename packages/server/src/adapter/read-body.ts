/**
 * Reads a request body with a byte limit. Past the limit the rest is drained and dropped (so the client
 * can read the 413 instead of a reset), up to a hard cap after which the connection is cut.
 */
import type { Readable } from 'node:stream';

export interface ReadBody {
  raw: Uint8Array;
  tooLarge: boolean;
}

export function readBody(stream: Readable, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const hardCap = Math.max(limit * 8, 16 * 1024 * 1024);
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > hardCap) {
        stream.destroy();
        resolve({ raw: new Uint8Array(), tooLarge: true });
        return;
      }
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    stream.on('end', () => resolve({ raw: tooLarge ? new Uint8Array() : Buffer.concat(chunks), tooLarge }));
    stream.on('error', reject);
  });
}
