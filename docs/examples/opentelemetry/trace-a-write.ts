// A traced write end to end: the app's span, Landed's write and attempt spans, and the server's own
// span, in one trace. Run from the repository root:
//   node --conditions=landed-source docs/examples/opentelemetry/trace-a-write.ts
// It prints the trace as a tree. The in-memory exporter stands in for an app's OTLP exporter.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, memoryStore } from '@landed/client';
import { openTelemetryObserver } from '@landed/opentelemetry';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

// 1. The SDK, registered as an app registers it (NodeSDK and WebTracerProvider do these three).
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

// 2. A server that continues the trace from `traceparent`, as a traced server does. It answers the
//    first attempt with a 503, so the write is attempted twice.
let answered = 0;
const server = createServer((req, res) => {
  const parent = propagation.extract(context.active(), req.headers);
  const span = trace
    .getTracer('museum-api')
    .startSpan(`server ${req.method} /tickets`, { kind: SpanKind.SERVER }, parent);
  req.resume().on('end', () => {
    const status = ++answered === 1 ? 503 : 201;
    span.setAttribute('http.response.status_code', status);
    span.end();
    res.writeHead(status, {
      'content-type': 'application/json',
      'idempotency-key': String(req.headers['idempotency-key']),
    });
    res.end('{"ticket":1}');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

// 3. The client, with the observer.
const client = createClient({
  store: memoryStore(),
  baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  observer: await openTelemetryObserver({ routes: ['/visitors/:visitor/tickets'] }),
  backoffBaseMs: 50,
});

await trace.getTracer('museum-app').startActiveSpan('buy ticket', async (span) => {
  const handle = await client.post('/visitors/42/tickets?promo=SUMMER', { ticket: 'adult' });
  console.log(`outcome: ${(await handle.outcome).state}`);
  span.end();
});

// 4. The trace, as a tree.
await provider.forceFlush();
const spans = exporter.getFinishedSpans();
const shown = ['landed.attempt', 'landed.outcome', 'landed.replayed', 'http.response.status_code'];
function print(span: ReadableSpan, depth: number): void {
  const attributes = shown
    .filter((name) => span.attributes[name] !== undefined)
    .map((name) => `${name}=${span.attributes[name]}`);
  console.log(`${'  '.repeat(depth)}${span.name}${attributes.length ? `  ${attributes.join(' ')}` : ''}`);
  for (const child of spans.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId))
    print(child, depth + 1);
}
const root = spans.find((s) => s.parentSpanContext === undefined);
if (root) {
  console.log(`trace ${root.spanContext().traceId}: ${spans.length} spans`);
  print(root, 0);
}

await client.close();
server.close();
await provider.shutdown();
