// The `observer` option: told of every attempt as it leaves and as its answer comes, may add request
// headers (never the protocol's), and can never stop a write. Against a real loopback server.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttemptEnd,
  type AttemptInfo,
  type Client,
  createClient,
  memoryStore,
  type Transition,
  type WriteObserver,
} from '@landed/client';
import { afterEach, expect, test } from 'vitest';

interface Answer {
  status: number;
  replayed?: boolean;
}

let server: Server | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Answers the n-th request with `answers[n]` (echoing the key), and keeps every request's headers. */
async function start(answers: Answer[]): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.headers);
      if (req.method === 'GET' && req.url?.startsWith('/idempotency/')) {
        // The lookup route: the write was applied, here is its stored answer.
        const key = decodeURIComponent(req.url.slice('/idempotency/'.length));
        res.writeHead(200, { 'content-type': 'application/json', 'idempotency-key': `"${key}"` });
        res.end(JSON.stringify({ key, status: 201, body: { ok: true } }));
        return;
      }
      const answer = answers[seen.length - 1] ?? { status: 201 };
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'idempotency-key': String(req.headers['idempotency-key']),
        ...(answer.replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const quick = { backoffBaseMs: 1, backoffCapMs: 1, timeoutMs: 30_000 };

test('each attempt is seen leaving and answered, once, with the headers it asked for and not the protocol headers', async () => {
  const { url, seen } = await start([{ status: 503 }, { status: 200, replayed: true }]);
  const calls: Array<{ start: AttemptInfo } | { end: AttemptInfo; result: AttemptEnd }> = [];
  const observer: WriteObserver = {
    attemptStart(attempt) {
      calls.push({ start: attempt });
      return {
        'x-trace': `attempt-${attempt.attempt}`,
        'Idempotency-Key': '"not-the-key"',
        'landed-attempt': '99',
      };
    },
    attemptEnd(attempt, result) {
      calls.push({ end: attempt, result });
    },
  };
  client = createClient({ store: memoryStore(), baseUrl: url, observer, ...quick });
  const handle = await client.post('/tickets?visitor=42', { visitor: 42 });
  expect((await handle.outcome).state).toBe('confirmed');

  expect(seen.map((h) => h['x-trace'])).toEqual(['attempt-1', 'attempt-2']);
  expect(seen.map((h) => h['idempotency-key'])).toEqual([`"${handle.key}"`, `"${handle.key}"`]);
  expect(seen.map((h) => h['landed-attempt'])).toEqual(['1', '2']);

  expect(calls).toHaveLength(4);
  const [start1, end1, start2, end2] = calls as [
    { start: AttemptInfo },
    { end: AttemptInfo; result: AttemptEnd },
    { start: AttemptInfo },
    { end: AttemptInfo; result: AttemptEnd },
  ];
  // attemptEnd gets the very object attemptStart got, so an observer can match them without a key.
  expect(end1.end).toBe(start1.start);
  expect(end2.end).toBe(start2.start);
  expect(start1.start).toMatchObject({
    kind: 'send',
    method: 'POST',
    url: `${url}/tickets?visitor=42`,
    attempt: 1,
  });
  expect(start1.start.entry.id).toBe(handle.id);
  expect(end1.result).toMatchObject({ outcome: 'uncertain', code: 'HTTP_503', status: 503, replayed: false });
  expect(start2.start.attempt).toBe(2);
  expect(end2.result).toMatchObject({ outcome: 'confirmed', status: 200, replayed: true });
  expect(end2.result.code).toBeUndefined();
});

test('an observer that throws in every hook never stops a write', async () => {
  const { url, seen } = await start([{ status: 503 }, { status: 201 }]);
  const boom = () => {
    throw new Error('observer failed');
  };
  const observer: WriteObserver = { transition: boom, removed: boom, attemptStart: boom, attemptEnd: boom };
  client = createClient({ store: memoryStore(), baseUrl: url, observer, ...quick });
  const handle = await client.post('/tickets', { visitor: 1 });
  expect((await handle.outcome).state).toBe('confirmed');
  expect(seen).toHaveLength(2);
});

test('the observer sees each write accepted, its transitions to the end, and entries that leave the outbox', async () => {
  const { url } = await start([{ status: 201 }]);
  const transitions: Array<Pick<Transition, 'from' | 'to'> & { id: string }> = [];
  const removed: string[] = [];
  const observer: WriteObserver = {
    transition: ({ entry, from, to }) => void transitions.push({ id: entry.id, from, to }),
    removed: (ids) => void removed.push(...ids),
  };
  let online = true;
  client = createClient({
    store: memoryStore(),
    baseUrl: url,
    observer,
    online: { isOnline: () => online, subscribe: () => () => {} },
    ...quick,
  });
  const sent = await client.post('/tickets', { visitor: 1 });
  await sent.outcome;
  expect(transitions.filter((t) => t.id === sent.id).map((t) => [t.from, t.to])).toEqual([
    [null, 'queued'],
    ['queued', 'sending'],
    ['sending', 'confirmed'],
  ]);

  online = false;
  const waiting = await client.post('/tickets', { visitor: 2 });
  expect(client.get(waiting.id)?.state).toBe('queued');
  await client.discard(waiting.id);
  expect(removed).toEqual([waiting.id]);
});

test('a lookup past the retention window is observed as an attempt too, with its headers', async () => {
  const { url, seen } = await start([{ status: 503 }]);
  const calls: Array<[AttemptInfo, AttemptEnd]> = [];
  const observer: WriteObserver = {
    attemptStart: ({ kind }) => ({ 'x-trace': kind }),
    attemptEnd: (attempt, end) => void calls.push([attempt, end]),
  };
  // A one-second window less a margin of at least one attempt timeout closes at the first attempt:
  // the next round asks the lookup route instead of sending again.
  client = createClient({ store: memoryStore(), baseUrl: url, observer, ...quick, retentionSec: 1 });
  const handle = await client.post('/tickets', { visitor: 3 });
  expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
  expect(seen.map((h) => h['x-trace'])).toEqual(['send', 'lookup']);
  expect(calls.map(([a, e]) => [a.kind, a.method, a.attempt, e.outcome, e.status])).toEqual([
    ['send', 'POST', 1, 'uncertain', 503],
    ['lookup', 'GET', 1, 'found', 200],
  ]);
  expect(calls[1]?.[0].url).toBe(`${url}/idempotency/${handle.key}`);
});
