// Where the OpenTelemetry API comes from: missing at run time (a clear LandedError), given as an
// option, present with no SDK registered (no spans, no header, writes unharmed), and a tracer provider
// and propagator passed in rather than registered globally.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type Client, createClient, isLandedError, memoryStore } from '@landed/client';
import { openTelemetryObserver } from '@landed/opentelemetry';
import * as api from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { startTraceServer, type TraceServer } from './support/trace-server.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const HIDE_API = join(import.meta.dirname, 'support', 'hide-otel-api.mjs');

beforeAll(() => {
  // Nothing registered globally in this file: the API answers with its no-op tracer and propagator.
  api.trace.disable();
  api.propagation.disable();
  api.context.disable();
});

let server: TraceServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

/** Runs `openTelemetryObserver()` in a fresh Node process, optionally one where the API is not installed. */
function observerInChild(hideApi: boolean): { ok?: true; name?: string; code?: string; message?: string } {
  const script = `
    import { openTelemetryObserver } from '@landed/opentelemetry';
    try {
      await openTelemetryObserver();
      console.log(JSON.stringify({ ok: true }));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
    }`;
  const run = spawnSync(
    process.execPath,
    [
      '--conditions=landed-source',
      '--no-warnings',
      ...(hideApi ? ['--import', HIDE_API] : []),
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
}

test('@opentelemetry/api not installed: OTEL_API_MISSING, saying what to install', () => {
  expect(observerInChild(false)).toEqual({ ok: true });
  const failed = observerInChild(true);
  expect(failed).toMatchObject({ name: 'LandedError', code: 'OTEL_API_MISSING' });
  expect(failed.message).toContain('npm install @opentelemetry/api');
  expect(failed.message).toContain("Cannot find package '@opentelemetry/api'");
});

test('something else given as the API: OTEL_API_MISSING', async () => {
  const error = await openTelemetryObserver({ api: { trace: {} } }).catch((e: unknown) => e);
  expect(isLandedError(error) && error.code).toBe('OTEL_API_MISSING');
  // The module itself, given as `api`, is taken.
  await expect(openTelemetryObserver({ api })).resolves.toBeDefined();
});

test('the API with no SDK registered: writes land and no header is added', async () => {
  server = await startTraceServer([{ status: 503 }, { status: 201 }]);
  client = createClient({
    store: memoryStore(),
    baseUrl: server.url,
    observer: await openTelemetryObserver(),
    backoffBaseMs: 1,
    backoffCapMs: 1,
    timeoutMs: 30_000,
  });
  const handle = await client.post('/tickets', { visitor: 1 });
  expect((await handle.outcome).state).toBe('confirmed');
  expect(server.requests).toHaveLength(2);
  expect(server.requests.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
});

test('a tracer provider and a propagator given as options, none registered globally', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  server = await startTraceServer([{ status: 201 }]);
  client = createClient({
    store: memoryStore(),
    baseUrl: server.url,
    observer: await openTelemetryObserver({
      tracerProvider: provider,
      propagator: new W3CTraceContextPropagator(),
      route: (url) => (url.pathname.startsWith('/visitors/') ? '/visitors/{visitor}/pens' : undefined),
    }),
    timeoutMs: 30_000,
  });
  const handle = await client.post('/visitors/42/pens', { pen: 3 });
  expect((await handle.outcome).state).toBe('confirmed');
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name).sort()).toEqual([
    'POST /visitors/{visitor}/pens',
    'landed.write POST /visitors/{visitor}/pens',
  ]);
  const attempt = spans.find((s) => s.kind === api.SpanKind.CLIENT);
  expect(server.requests[0]?.trace).toEqual({
    traceId: attempt?.spanContext().traceId,
    parentId: attempt?.spanContext().spanId,
    flags: '01',
  });
  expect(spans.every((s) => s.instrumentationScope.name === '@landed/opentelemetry')).toBe(true);
  await provider.shutdown();
});
