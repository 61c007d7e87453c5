/**
 * Fault hooks over HTTP: impossible to turn on in production mode (option or header), on with
 * LANDED_FAULTS=1 elsewhere.
 */
import { afterEach, expect, it } from 'vitest';
import { send, startApp, type TestApp } from './support/app.ts';

const saved = { NODE_ENV: process.env.NODE_ENV, LANDED_FAULTS: process.env.LANDED_FAULTS };
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('NODE_ENV=production: the Landed-Fault header does nothing, even with faults enabled in the options', async () => {
  process.env.NODE_ENV = 'production';
  process.env.LANDED_FAULTS = '1';
  app = await startApp('node-http', 'sqlite', { faults: { enabled: true } });
  expect(app.core.faults.enabled).toBe(false);
  for (const fault of ['500-before-commit', '500-after-commit', 'exit-after-commit']) {
    const r = await send(`${app.url}/orders`, {
      key: `prod-${fault}`,
      body: { item: 'pen' },
      headers: { 'landed-fault': fault },
    });
    expect(r.status, fault).toBe(201);
  }
  expect(await app.business.count()).toBe(3);
});

it('LANDED_FAULTS=1 outside production turns the hooks on without an option', async () => {
  process.env.NODE_ENV = 'test';
  process.env.LANDED_FAULTS = '1';
  app = await startApp('node-http', 'sqlite');
  const r = await send(`${app.url}/orders`, {
    key: 'env-1',
    body: { item: 'pen' },
    headers: { 'landed-fault': '500-before-commit' },
  });
  expect(r.status).toBe(500);
  expect(r.json().code).toBe('fault-injected');
  expect(await app.business.count()).toBe(0);
});
