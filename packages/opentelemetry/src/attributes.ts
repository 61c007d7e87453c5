import type { Attributes } from '@opentelemetry/api';

/**
 * Attribute names: OpenTelemetry's semantic conventions where one fits, `landed.*` for the rest.
 * Nothing here can hold a body, a header value, a cookie, a query string or URL credentials: only
 * the method, the route template, the host and port, and what the client decided.
 */
export const ATTR = {
  method: 'http.request.method',
  route: 'url.template',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  status: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  errorType: 'error.type',
  entryId: 'landed.entry.id',
  lane: 'landed.lane',
  attempt: 'landed.attempt',
  attemptKind: 'landed.attempt.kind',
  attempts: 'landed.attempts',
  outcome: 'landed.outcome',
  replayed: 'landed.replayed',
  replay: 'landed.replay',
} as const;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** `server.address` and `server.port` of a URL: the host only, never its user, password, path or query. */
export function serverAttributes(url: string): Attributes {
  try {
    const { hostname, port, protocol } = new URL(url);
    const number = port === '' ? DEFAULT_PORTS[protocol] : Number(port);
    return number === undefined
      ? { [ATTR.serverAddress]: hostname }
      : { [ATTR.serverAddress]: hostname, [ATTR.serverPort]: number };
  } catch {
    return {};
  }
}
