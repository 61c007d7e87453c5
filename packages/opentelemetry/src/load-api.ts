import { LandedError } from '@landed/client';

/** The OpenTelemetry API module (`@opentelemetry/api`), as far as this package uses it. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

const INSTALL = 'install it beside your app (`npm install @opentelemetry/api`), or pass the module as `api`';

/** Whether `api` has what this package calls: the API since 1.3. */
function check(api: unknown, where: string): OpenTelemetryApi {
  const candidate = api as Partial<OpenTelemetryApi> | undefined;
  if (
    typeof candidate?.trace?.getTracer !== 'function' ||
    typeof candidate.trace.setSpan !== 'function' ||
    typeof candidate.context?.active !== 'function' ||
    typeof candidate.propagation?.inject !== 'function' ||
    typeof candidate.defaultTextMapSetter?.set !== 'function'
  ) {
    throw new LandedError(
      'OTEL_API_MISSING',
      `@landed/opentelemetry: ${where} is not the OpenTelemetry API (version 1.3 or later is needed): ${INSTALL}`,
    );
  }
  return candidate as OpenTelemetryApi;
}

/**
 * The API module: the one given, or `@opentelemetry/api` loaded at run time. It is a peer dependency
 * loaded by a dynamic import, so an app without it meets this error, with what to do, instead of a
 * module-resolution failure at start-up. An API with no SDK registered is not an error: its tracer
 * makes spans that record nothing and its propagator adds no header, so tracing costs next to nothing.
 */
export async function loadApi(given?: unknown): Promise<OpenTelemetryApi> {
  if (given !== undefined) return check(given, 'the `api` option');
  let loaded: unknown;
  try {
    loaded = await import('@opentelemetry/api');
  } catch (error) {
    throw new LandedError(
      'OTEL_API_MISSING',
      `@landed/opentelemetry could not load @opentelemetry/api (${(error as Error)?.message ?? String(error)}): ${INSTALL}`,
      { cause: error },
    );
  }
  // Loaded as CommonJS where a platform picks its `default` build: the namespace may hold the API only
  // under `default`.
  const namespace = loaded as Partial<OpenTelemetryApi> & { default?: unknown };
  return check(namespace.trace ? namespace : namespace.default, 'the installed @opentelemetry/api');
}
