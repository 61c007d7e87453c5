import type { IncomingMessage, ServerResponse } from 'node:http';
import { createIdempotency, memoryStore } from '@landed/server';
import { withIdempotency } from '@landed/server/node-http';
import { afterAll, expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { pageWrite, ready, waitForEntries } from './support/page-api.ts';

// The browser client against the real @landed/server (node:http adapter, memory store), with its
// test-only fault hook that commits a write and then drops the connection unanswered.
const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const ledger: string[] = [];
const core = createIdempotency({
  store: memoryStore(),
  scope: () => 'museum',
  faults: { enabled: true, exit: () => {} },
  reapIntervalMs: 0,
});
const listener = withIdempotency(core, ({ key }) => {
  ledger.push(key ?? 'no key');
  return { status: 201, body: { pairing: ledger.length } };
});

const app = useChromiumApp(pages, {
  api: (req: IncomingMessage, res: ServerResponse) => listener(req, res),
});
afterAll(() => {
  core.close();
});

test('against @landed/server: writes committed whose answers were lost are confirmed by replay, applied once', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.server.url}/outbox?name=real-server`);
  await ready(page);
  for (let i = 0; i < 3; i++) core.faults.next('exit-after-commit');
  const written = [] as string[];
  for (let n = 1; n <= 4; n++)
    written.push(((await pageWrite(page, { pen: `P-${n}` })) as { key: string }).key);
  const entries = await waitForEntries(
    page,
    (list) => list.length === 4 && list.every((e) => e.state === 'confirmed'),
    'four confirmed',
  );
  // Three answers were lost (a retry may itself meet a queued fault); whatever was lost was replayed.
  expect(core.faults.queued).toEqual([]);
  expect(entries[0]?.outcome).toMatchObject({ state: 'confirmed', replayed: true });
  expect([...ledger].sort()).toEqual([...written].sort());
  await page.close();
});
