/**
 * Cross-scope property: principal B sending A's key gets its own fresh execution and never A's response.
 * fast-check drives random keys, principals and bodies through a real server on SQLite.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatKey } from '../src/index.ts';
import { send, startApp, type TestApp } from './support/app.ts';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 40;

let app: TestApp;
beforeAll(async () => {
  app = await startApp('node-http', 'sqlite');
});
afterAll(() => app.close());

const visibleKey = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 24,
});
const step = fc.record({
  principal: fc.constantFrom('alice', 'bob', 'carol'),
  key: fc.nat({ max: 3 }),
  item: fc.constantFrom('pen', 'ink', 'map'),
});

it('one principal never reads, replays or blocks another principal’s key', async () => {
  console.log(`scopes property: FC_SEED=${seed} FC_NUM_RUNS=${numRuns}`);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(visibleKey, { minLength: 4, maxLength: 4 }),
      fc.array(step, { minLength: 1, maxLength: 12 }),
      async (keys, steps) => {
        run++;
        const first = new Map<string, { item: string; text: string }>();
        let fresh = 0;
        const countBefore = await app.business.count();
        for (const s of steps) {
          const key = `${run}:${keys[s.key]}`;
          const r = await send(`${app.url}/orders`, {
            keyHeader: formatKey(key),
            principal: s.principal,
            body: { item: s.item },
          });
          const id = `${s.principal}\u0000${key}`;
          const seen = first.get(id);
          if (!seen) {
            expect(r.status).toBe(201);
            expect(r.headers.get('idempotent-replayed')).toBeNull();
            expect(r.json()).toMatchObject({ scope: s.principal, item: s.item });
            first.set(id, { item: s.item, text: r.text });
            fresh++;
          } else if (seen.item === s.item) {
            expect(r.status).toBe(201);
            expect(r.headers.get('idempotent-replayed')).toBe('true');
            expect(r.text).toBe(seen.text);
          } else {
            expect(r.status).toBe(422);
          }
          if (r.status === 201) expect(r.json().scope).toBe(s.principal);
          const lookup = await send(`${app.url}/idempotency/${encodeURIComponent(key)}`, {
            method: 'GET',
            principal: s.principal,
          });
          expect(lookup.json().body).toEqual(JSON.parse(first.get(id)?.text as string));
        }
        expect((await app.business.count()) - countBefore).toBe(fresh);
      },
    ),
    { seed, numRuns },
  );
});
