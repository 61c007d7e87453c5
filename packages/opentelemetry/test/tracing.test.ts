// Spans from real writes: the real OpenTelemetry SDK (a BasicTracerProvider registered as the global
// one, the W3C propagator, the async-hooks context manager) and its in-memory exporter, against a real
// loopback server that reads `traceparent`.

import { type Client, type ClientOptions, createClient, memoryStore } from '@landed/client';
import { openTelemetryObserver } from '@landed/opentelemetry';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { type Reply, startTraceServer, type TraceServer } from './support/trace-server.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

let server: TraceServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
  exporter.reset();
});

async function setup(replies: Reply[], options: Partial<ClientOptions> = {}, routes?: string[]) {
  server = await startTraceServer(replies);
  client = createClient({
    store: memoryStore(),
    baseUrl: server.url,
    observer: await openTelemetryObserver(routes ? { routes } : {}),
    // Backoffs of a millisecond: the test awaits the outcome, never a time.
    backoffBaseMs: 1,
    backoffCapMs: 1,
    timeoutMs: 30_000,
    ...options,
  });
  return { server, client };
}

/** The write span and its attempt spans, in attempt order. */
async function spansOf(entryId: string): Promise<{ write: ReadableSpan; attempts: ReadableSpan[] }> {
  await provider.forceFlush();
  const mine = exporter.getFinishedSpans().filter((s) => s.attributes['landed.entry.id'] === entryId);
  const writes = mine.filter((s) => s.kind === SpanKind.INTERNAL);
  expect(writes).toHaveLength(1);
  const write = writes[0] as ReadableSpan;
  const attempts = mine
    .filter((s) => s.parentSpanContext?.spanId === write.spanContext().spanId)
    .sort((a, b) => Number(a.attributes['landed.attempt']) - Number(b.attributes['landed.attempt']));
  // Every span of the write is the write span or one of its attempts.
  expect(mine).toHaveLength(attempts.length + 1);
  return { write, attempts };
}

test('a write with a failed attempt then a success: one write span, two attempt spans, the server in the same trace', async () => {
  const { server, client } = await setup([{ status: 503 }, { status: 201 }], {}, ['/tickets/:ticket']);
  const handle = await client.put('/tickets/42', { visitor: 42 });
  expect((await handle.outcome).state).toBe('confirmed');

  const { write, attempts } = await spansOf(handle.id);
  expect(write.name).toBe('landed.write PUT /tickets/:ticket');
  expect(write.attributes).toMatchObject({
    'http.request.method': 'PUT',
    'url.template': '/tickets/:ticket',
    'landed.outcome': 'confirmed',
    'landed.attempts': 2,
    'http.response.status_code': 201,
    'landed.replayed': false,
  });
  expect(write.status.code).toBe(SpanStatusCode.UNSET);

  expect(attempts).toHaveLength(2);
  const [first, second] = attempts as [ReadableSpan, ReadableSpan];
  for (const span of attempts) {
    expect(span.name).toBe('PUT /tickets/:ticket');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().traceId).toBe(write.spanContext().traceId);
  }
  expect(first.attributes).toMatchObject({
    'http.request.method': 'PUT',
    'url.template': '/tickets/:ticket',
    'server.address': '127.0.0.1',
    'server.port': Number(new URL(server.url).port),
    'landed.attempt': 1,
    'landed.attempt.kind': 'send',
    'landed.outcome': 'uncertain',
    'landed.replayed': false,
    'http.response.status_code': 503,
    'error.type': 'HTTP_503',
  });
  expect(first.status.code).toBe(SpanStatusCode.ERROR);
  expect(second.attributes).toMatchObject({
    'landed.attempt': 2,
    'http.request.resend_count': 1,
    'landed.outcome': 'confirmed',
    'landed.replayed': false,
    'http.response.status_code': 201,
  });
  expect(second.attributes['error.type']).toBeUndefined();
  expect(second.status.code).toBe(SpanStatusCode.UNSET);

  // What the server read: each attempt's own span as the parent, in the write's trace, sampled.
  expect(server.requests.map((r) => r.trace)).toEqual([
    { traceId: write.spanContext().traceId, parentId: first.spanContext().spanId, flags: '01' },
    { traceId: write.spanContext().traceId, parentId: second.spanContext().spanId, flags: '01' },
  ]);
});

test('an answer lost after the server applied it, then its replay: the attempt says uncertain, then replayed', async () => {
  const { client } = await setup(['reset', { status: 200, replayed: true }]);
  const handle = await client.post('/pens', { visitor: 7, pen: 3 });
  expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });

  const { write, attempts } = await spansOf(handle.id);
  expect(attempts.map((s) => s.attributes['landed.outcome'])).toEqual(['uncertain', 'confirmed']);
  expect(attempts[0]?.attributes['error.type']).toBe('NETWORK');
  expect(attempts[0]?.attributes['http.response.status_code']).toBeUndefined();
  expect(attempts[1]?.attributes['landed.replayed']).toBe(true);
  expect(write.attributes['landed.replayed']).toBe(true);
});

test('a rejected write: the write span and its attempt end in error', async () => {
  const { client } = await setup([{ status: 422 }]);
  const handle = await client.post('/tickets', { visitor: -1 });
  expect((await handle.outcome).state).toBe('rejected');

  const { write, attempts } = await spansOf(handle.id);
  expect(write.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rejected: HTTP_422' });
  expect(write.attributes).toMatchObject({ 'landed.outcome': 'rejected', 'error.type': 'HTTP_422' });
  expect(attempts).toHaveLength(1);
  expect(attempts[0]?.status.code).toBe(SpanStatusCode.ERROR);
  expect(attempts[0]?.attributes).toMatchObject({
    'landed.outcome': 'rejected',
    'http.response.status_code': 422,
  });
});

test('an expired write (past the window, no lookup route): the write span ends in error', async () => {
  // A one-second window less a margin of at least one attempt timeout closes at the first attempt.
  const { server, client } = await setup([{ status: 503 }], { retentionSec: 1, lookupPath: null });
  const handle = await client.post('/tickets', { visitor: 5 });
  expect((await handle.outcome).state).toBe('expired');

  const { write, attempts } = await spansOf(handle.id);
  expect(write.status).toEqual({ code: SpanStatusCode.ERROR, message: 'expired: EXPIRED' });
  expect(write.attributes['landed.outcome']).toBe('expired');
  expect(attempts).toHaveLength(1);
  expect(server.requests).toHaveLength(1);
});

test('a lookup past the window is an attempt span too, on its route template, and carries the trace', async () => {
  const { server, client } = await setup([{ status: 503 }], { retentionSec: 1 });
  const handle = await client.post('/tickets', { visitor: 6 });
  expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });

  const { write, attempts } = await spansOf(handle.id);
  expect(
    attempts.map((s) => [s.name, s.attributes['landed.attempt.kind'], s.attributes['landed.outcome']]),
  ).toEqual([
    ['POST /tickets', 'send', 'uncertain'],
    ['GET /idempotency/{key}', 'lookup', 'found'],
  ]);
  expect(attempts[1]?.attributes['url.template']).toBe('/idempotency/{key}');
  expect(attempts[1]?.status.code).toBe(SpanStatusCode.UNSET);
  expect(server.requests[1]?.url).toBe(`/idempotency/${handle.key}`);
  expect(server.requests[1]?.trace?.traceId).toBe(write.spanContext().traceId);
  expect(server.requests[1]?.trace?.parentId).toBe(attempts[1]?.spanContext().spanId);
});

test('no body, auth header, cookie or query string reaches any span', async () => {
  const { server, client } = await setup([{ status: 500 }, { status: 201 }], {
    headers: () => ({ authorization: 'Bearer auth-secret-1', cookie: 'session=cookie-secret-2' }),
  });
  const handle = await client.post(
    '/tickets/42?token=query-secret-3',
    { card: 'body-secret-4' },
    { lane: 'visits' },
  );
  expect((await handle.outcome).state).toBe('confirmed');
  // The secrets were on the wire, so a span could have picked them up.
  const sent = server.requests[0];
  expect(sent?.headers.authorization).toBe('Bearer auth-secret-1');
  expect(sent?.headers.cookie).toBe('session=cookie-secret-2');
  expect(sent?.url).toBe('/tickets/42?token=query-secret-3');
  expect(sent?.body).toContain('body-secret-4');

  const { write, attempts } = await spansOf(handle.id);
  expect(attempts).toHaveLength(2);
  const recorded = JSON.stringify(
    [write, ...attempts].map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      links: s.links,
      status: s.status,
    })),
  );
  expect(recorded).not.toMatch(/secret|token=|Bearer|session=/);
  // Without a template, the route is the path alone.
  expect(write.attributes['url.template']).toBe('/tickets/42');
  expect(write.attributes['landed.lane']).toBe('visits');
});

test('a write made inside an active span is its child; a discarded write ends its span as removed', async () => {
  let online = true;
  const { client } = await setup([], { online: { isOnline: () => online, subscribe: () => () => {} } });
  const tracer = trace.getTracer('museum-app');
  const { handle, checkout } = await tracer.startActiveSpan('checkout', async (span) => {
    const made = await client.post('/tickets', { visitor: 8 });
    span.end();
    return { handle: made, checkout: span.spanContext() };
  });
  expect((await handle.outcome).state).toBe('confirmed');
  const { write } = await spansOf(handle.id);
  expect(write.parentSpanContext?.spanId).toBe(checkout.spanId);
  expect(write.spanContext().traceId).toBe(checkout.traceId);

  online = false;
  const waiting = await client.post('/tickets', { visitor: 9 });
  await client.discard(waiting.id);
  const removed = await spansOf(waiting.id);
  expect(removed.write.attributes['landed.outcome']).toBe('removed');
  expect(removed.attempts).toHaveLength(0);
});

test('a write resumed by another client (a restart) joins the trace it was made in; no baggage is kept with it', async () => {
  server = await startTraceServer([]);
  const store = memoryStore();
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  const offline = { isOnline: () => false, subscribe: () => () => {} };
  const first = createClient({
    store,
    baseUrl: server.url,
    online: offline,
    observer: await openTelemetryObserver({ propagator }),
  });
  const tracer = trace.getTracer('museum-app');
  const withBaggage = propagation.setBaggage(
    context.active(),
    propagation.createBaggage({ 'visitor.email': { value: 'ada@example.org' } }),
  );
  const { handle, checkout } = await context.with(withBaggage, () =>
    tracer.startActiveSpan('checkout', async (span) => {
      const made = await first.post('/tickets', { visitor: 10 });
      span.end();
      return { handle: made, checkout: span.spanContext() };
    }),
  );
  const stamped = first.get(handle.id)?.trace;
  expect(stamped).toContain(checkout.traceId);
  expect(stamped).not.toContain('ada@example.org');
  // The process that accepted it goes away before it could send (its write span is never exported).
  await first.close();

  client = createClient({
    store,
    baseUrl: server.url,
    observer: await openTelemetryObserver({ propagator }),
  });
  await client.drain();
  expect(client.get(handle.id)?.state).toBe('confirmed');
  const { write, attempts } = await spansOf(handle.id);
  expect(write.spanContext().traceId).toBe(checkout.traceId);
  expect(write.parentSpanContext?.spanId).toBe(checkout.spanId);
  expect(attempts).toHaveLength(1);
  // The server's span joins the same trace, under the attempt.
  expect(server.requests[0]?.trace?.traceId).toBe(checkout.traceId);
  expect(server.requests[0]?.trace?.parentId).toBe(attempts[0]?.spanContext().spanId);
  // What went on the wire carried no baggage either.
  expect(server.requests[0]?.headers.baggage).toBeUndefined();
});
