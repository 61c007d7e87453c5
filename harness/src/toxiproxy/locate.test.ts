import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateToxiproxy } from './locate.ts';
import { startToxiproxy } from './ToxiproxyServer.ts';

describe('finding Toxiproxy', () => {
  const empty = mkdtempSync(join(tmpdir(), 'landed-no-tools-'));

  it('prefers TOXIPROXY_URL', () => {
    expect(locateToxiproxy({ root: empty, env: { TOXIPROXY_URL: 'http://127.0.0.1:8474/' } })).toEqual({
      kind: 'url',
      url: 'http://127.0.0.1:8474',
    });
  });

  it('stops with a message saying how to get it when there is no binary and no Go', () => {
    expect(() => locateToxiproxy({ root: empty, env: { PATH: empty }, goCandidates: [] })).toThrow(
      expect.objectContaining({
        code: 'TOXIPROXY_NOT_FOUND',
        message: expect.stringContaining('go install'),
      }),
    );
  });

  it('says so when TOXIPROXY_URL points at nothing', async () => {
    await expect(
      startToxiproxy({ root: empty, env: { TOXIPROXY_URL: 'http://127.0.0.1:9' } }),
    ).rejects.toMatchObject({ code: 'TOXIPROXY_UNREACHABLE' });
  });
});
