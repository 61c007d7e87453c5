import { appendFile, open } from 'node:fs/promises';
import type { QuarantinedRecord } from '../../types/store.ts';
import type { DamagedLine } from './replay.ts';

const EXCERPT_CHARS = 200;

export function toQuarantined(line: DamagedLine): QuarantinedRecord {
  return {
    location: line.location,
    reason: line.reason,
    excerpt: line.raw.toString('utf8').replace(/\n$/, '').slice(0, EXCERPT_CHARS),
  };
}

/**
 * Appends damaged lines to the quarantine file, bytes and all (base64), before compaction drops them
 * from the journal: a record the store cannot read is set aside for a person, never deleted.
 */
export async function keepAside(path: string, lines: readonly DamagedLine[], sync: boolean): Promise<void> {
  if (lines.length === 0) return;
  const at = new Date().toISOString();
  const text = lines
    .map((line) => `${JSON.stringify({ at, ...toQuarantined(line), raw: line.raw.toString('base64') })}\n`)
    .join('');
  await appendFile(path, text);
  if (!sync) return;
  const fh = await open(path, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
