/**
 * Errors a person running the harness can meet, each with a stable `code` and a message that says
 * what to do next.
 */
export type HarnessErrorCode =
  | 'TOXIPROXY_NOT_FOUND'
  | 'TOXIPROXY_INSTALL_FAILED'
  | 'TOXIPROXY_START_FAILED'
  | 'TOXIPROXY_UNREACHABLE'
  | 'APP_START_FAILED'
  | 'BAD_ARGUMENT'
  | 'UNKNOWN_SCENARIO'
  | 'SENTRY_UNAVAILABLE'
  | 'TARGET_UNREACHABLE'
  | 'BAD_EXPERIMENT'
  | 'VERIFY_FAILED'
  | 'HAPROXY_NOT_FOUND'
  | 'HAPROXY_FAILED'
  | 'UNKNOWN_CLIENT_KIND'
  | 'CHROMIUM_NOT_STARTED'
  | 'PEER_NOT_INSTALLED';

export class HarnessError extends Error {
  override name = 'HarnessError';
  readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError || (error instanceof Error && error.name === 'HarnessError');
}
