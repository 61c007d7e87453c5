import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory/index.ts';
import { createIdempotency } from './create-idempotency.ts';
import type { HandlerContext } from './types.ts';

describe('createIdempotency', () => {
  it('refuses a configuration it cannot serve with invalid-options', () => {
    const store = memoryStore();
    expect(() => createIdempotency({ scope: () => 'x' } as never)).toThrow(/`store` is required/);
    expect(() => createIdempotency({ store } as never)).toThrow(/`scope` must be a function/);
    expect(() => createIdempotency({ store, scope: () => 'x', retentionSec: 100, tombstoneSec: 10 })).toThrow(
      /tombstoneSec/,
    );
    expect(() => createIdempotency({ store, scope: () => 'x', lookupPath: 'idem' })).toThrow(/lookupPath/);
  });

  it('hands the handler the key, scope, parsed body and the client attempt hints', async () => {
    const core = createIdempotency({
      store: memoryStore(),
      scope: (req) => req.principal ?? 'none',
      reapIntervalMs: 0,
    });
    let seen: HandlerContext<unknown> | undefined;
    const response = await core.handle(
      {
        method: 'POST',
        path: '/t',
        headers: { 'idempotency-key': '"k"', 'landed-attempt': '3', 'landed-first-sent': '1700000000000' },
        rawBody: '{"a":1}',
        principal: 'desk-3',
      },
      (ctx) => {
        seen = ctx;
        return { status: 201, body: { ok: true } };
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers['Idempotency-Key']).toBe('"k"');
    expect(seen).toMatchObject({
      key: 'k',
      scope: 'desk-3',
      body: { a: 1 },
      attempt: 3,
      firstSentAt: 1_700_000_000_000,
    });
  });

  it('refuses a handler result without a valid status, and stores nothing', async () => {
    const store = memoryStore();
    const core = createIdempotency({ store, scope: () => 's', reapIntervalMs: 0, onError: () => {} });
    const r = await core.handle(
      { method: 'POST', path: '/t', headers: { 'idempotency-key': 'k' } },
      () => ({ status: 99 }) as never,
    );
    expect(r.status).toBe(500);
    expect(store.records.size).toBe(0);
  });
});

describe('scope', () => {
  it('a scope() that returns no string is refused (500) and nothing runs', async () => {
    const errors: unknown[] = [];
    const core = createIdempotency({
      store: memoryStore(),
      scope: () => undefined as unknown as string,
      reapIntervalMs: 0,
      onError: (error) => errors.push(error),
    });
    let ran = false;
    const r = await core.handle({ method: 'POST', path: '/t', headers: { 'idempotency-key': 'k' } }, () => {
      ran = true;
      return { status: 201 };
    });
    expect(r.status).toBe(500);
    expect(ran).toBe(false);
    expect(String(errors[0])).toMatch(/must return a string/);
  });
});
