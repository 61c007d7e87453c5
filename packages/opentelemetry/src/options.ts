import type { TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { RouteNamer } from './route.ts';

export interface OpenTelemetryOptions {
  /**
   * The `@opentelemetry/api` module, for an app that imports it already (or bundles it under another
   * name). @default the module loaded with `import('@opentelemetry/api')`
   */
  api?: unknown;
  /** Where the tracer comes from. @default the API's global tracer provider (what an SDK registers) */
  tracerProvider?: TracerProvider;
  /** Writes `traceparent` (and whatever else it propagates) on each attempt. @default the API's global propagator */
  propagator?: TextMapPropagator;
  /**
   * Route templates matched against each write's path, so spans say `/tickets/:id`, not the id.
   * `:name` or `{name}` stands for one path segment; the first match wins. A path that matches none
   * is used as it is (without its query string). @default []
   */
  routes?: readonly string[];
  /** Names a write's route itself; returning `undefined` falls back to `routes`. */
  route?: RouteNamer;
}
