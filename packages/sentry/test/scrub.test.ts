import type { Entry } from '@landed/client';
import { expect, test } from 'vitest';
import { eventFor, scrubEvent, scrubUrl, selectFields, sentryReporter } from '../src/index.ts';
import type { SentryEventLike } from '../src/types.ts';

const entry: Entry = {
  id: 'e1',
  key: 'k1',
  method: 'POST',
  url: 'https://api.example/orders?token=SECRET#frag',
  body: JSON.stringify({ orderId: 'ORD-7', card: { number: '4111', holder: 'Ann' } }),
  headers: { 'x-tenant': 'museum', cookie: 'session=SECRET' },
  lane: 'orders',
  seq: 1,
  principal: 'ann@example.org',
  state: 'rejected',
  attempts: 2,
  createdAt: 0,
  updatedAt: 1,
  outcome: {
    state: 'rejected',
    status: 400,
    body: { title: 'seat taken', seat: '12B' },
    reason: 'refused at https://api.example/orders?token=SECRET',
    at: 1,
  },
};

test('URLs lose their query string and fragment', () => {
  expect(scrubUrl('https://a.example/p?token=x#y')).toBe('https://a.example/p');
  expect(scrubUrl('/relative?x=1')).toBe('/relative');
  expect(scrubUrl('https://a.example/p')).toBe('https://a.example/p');
});

test('scrubEvent removes bodies, cookies, credential headers and query strings everywhere', () => {
  const event: SentryEventLike = {
    message: 'failed at https://a.example/x?token=SECRET',
    request: {
      url: 'https://a.example/page?token=SECRET',
      data: '{"card":"SECRET"}',
      cookies: { session: 'SECRET' },
      query_string: 'token=SECRET',
      headers: {
        Authorization: 'Bearer SECRET',
        Referer: 'https://a.example/r?token=SECRET',
        'User-Agent': 'UA',
      },
    },
    breadcrumbs: [
      {
        category: 'fetch',
        data: { url: 'https://a.example/api?key=SECRET', request_body: 'SECRET', status_code: 200 },
      },
      {
        category: 'console',
        message: 'see https://a.example/?t=SECRET',
        data: { arguments: [{ nested: 'https://b.example/?q=SECRET' }] },
      },
    ],
    exception: { values: [{ value: 'GET https://a.example/x?t=SECRET failed' }] },
  };
  const scrubbed = scrubEvent(event);
  expect(JSON.stringify(scrubbed)).not.toContain('SECRET');
  expect(scrubbed.request).toEqual({
    url: 'https://a.example/page',
    headers: { Referer: 'https://a.example/r', 'User-Agent': 'UA' },
  });
  expect(scrubbed.breadcrumbs?.[0]?.data).toEqual({ url: 'https://a.example/api', status_code: 200 });
});

test('only fields named in includeFields leave the page', () => {
  expect(selectFields(entry, [])).toEqual({});
  expect(
    selectFields(entry, [
      'body.orderId',
      'body.card.holder',
      'response.seat',
      'header.X-Tenant',
      'query.token',
      'principal',
      'body.missing',
    ]),
  ).toEqual({
    'body.orderId': 'ORD-7',
    'body.card.holder': 'Ann',
    'response.seat': '12B',
    'header.X-Tenant': 'museum',
    'query.token': 'SECRET',
    principal: 'ann@example.org',
  });
});

test('an event per report: tags, breadcrumbs per attempt, no body, no principal, no query by default', () => {
  const event = eventFor(
    {
      kind: 'rejected',
      entry,
      attempts: [
        {
          type: 'attempt',
          at: 1000,
          entryId: 'e1',
          attempt: 1,
          durationMs: 5,
          result: 'info',
          errorCode: 'NETWORK',
        },
        { type: 'transition', at: 1001, entryId: 'e1', from: 'sending', to: 'uncertain' },
        { type: 'attempt', at: 2000, entryId: 'e1', attempt: 2, durationMs: 5, result: 'fail', status: 400 },
      ],
    },
    [],
  );
  expect(event.tags).toEqual({
    'landed.kind': 'rejected',
    'landed.state': 'rejected',
    'landed.attempts': '2',
    'landed.lane': 'orders',
    'landed.status': '400',
    'landed.method': 'POST',
  });
  expect(event.breadcrumbs?.map((b) => b.message)).toEqual([
    'attempt 1: NETWORK (info)',
    'attempt 2: HTTP 400 (fail)',
  ]);
  expect(event.fingerprint).toEqual(['landed', 'rejected', 'POST', '/orders']);
  const text = JSON.stringify(event);
  for (const leak of ['SECRET', 'ORD-7', '4111', 'ann@example.org', 'seat taken', 'museum'])
    expect(text).not.toContain(leak);
});

test("two writes refused by the same endpoint: one issue (same fingerprint), two events Sentry's Dedupe keeps (messages differ)", () => {
  const first = eventFor({ kind: 'rejected', entry: { ...entry, id: '3f2a9c1e-0000' }, attempts: [] }, []);
  const second = eventFor({ kind: 'rejected', entry: { ...entry, id: '7b41d0aa-0000' }, attempts: [] }, []);
  expect(first.fingerprint).toEqual(second.fingerprint);
  expect(first.message).not.toBe(second.message);
  expect(first.message).toBe('Landed: the server refused a write: POST /orders (entry 3f2a9c1e)');
});

test('the reporter never throws, even when the SDK does, and registers its scrubber once', () => {
  let processors = 0;
  const captured: SentryEventLike[] = [];
  const reporter = sentryReporter({
    client: {
      captureEvent(event) {
        captured.push(event);
        if (captured.length === 2) throw new Error('transport down');
        return 'id';
      },
      addEventProcessor() {
        processors++;
      },
    },
  });
  const report = { kind: 'expired' as const, entry: { ...entry, state: 'expired' as const }, attempts: [] };
  expect(() => reporter.report(report)).not.toThrow();
  expect(() => reporter.report(report)).not.toThrow();
  expect(captured).toHaveLength(2);
  expect(processors).toBe(1);
});
