/**
 * @landed/opentelemetry — OpenTelemetry tracing for Landed writes: a span per write from its
 * acceptance to its final outcome, a child span per attempt (method, route template, attempt number,
 * outcome, replayed, status), and the trace context on every attempt's request (`traceparent`), so
 * the server's span joins the trace. No body, header value, cookie or query string is ever recorded.
 */
import type { WriteObserver } from '@landed/client';
import { loadApi } from './load-api.ts';
import type { OpenTelemetryOptions } from './options.ts';
import { routeResolver } from './route.ts';
import { WriteTracing } from './WriteTracing.ts';

export { ATTR } from './attributes.ts';
export type { OpenTelemetryOptions } from './options.ts';
export type { RouteNamer } from './route.ts';
export { routeResolver } from './route.ts';

/** The name and version the spans' instrumentation scope carries. */
export const INSTRUMENTATION_NAME = '@landed/opentelemetry';
export const INSTRUMENTATION_VERSION = '0.1.0';

/**
 * The observer to give `createClient({ observer })`. Loads `@opentelemetry/api` (a peer dependency)
 * unless `api` is given; rejects with a `LandedError` `OTEL_API_MISSING` when it cannot. With the API
 * but no SDK registered, spans record nothing and no header is added (the API's no-op behaviour).
 */
export async function openTelemetryObserver(options: OpenTelemetryOptions = {}): Promise<WriteObserver> {
  const api = await loadApi(options.api);
  const provider = options.tracerProvider ?? api.trace;
  return new WriteTracing({
    api,
    tracer: provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION),
    propagator: options.propagator,
    route: routeResolver(options.routes, options.route),
  });
}
