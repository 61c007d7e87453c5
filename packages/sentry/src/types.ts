/**
 * The few shapes of the Sentry SDK this package touches, written structurally so it works with any
 * `@sentry/browser` from 8 on without importing it (the SDK stays the app's own dependency).
 */
export type SentryLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug';

export interface SentryBreadcrumb {
  type?: string;
  category?: string;
  level?: SentryLevel;
  message?: string;
  timestamp?: number;
  data?: Record<string, unknown>;
}

export interface SentryEventLike {
  message?: string;
  level?: SentryLevel;
  tags?: Record<string, unknown>;
  contexts?: Record<string, Record<string, unknown> | undefined>;
  fingerprint?: string[];
  breadcrumbs?: SentryBreadcrumb[];
  request?: {
    url?: string;
    method?: string;
    data?: unknown;
    query_string?: unknown;
    cookies?: unknown;
    headers?: Record<string, string>;
  };
  exception?: { values?: Array<{ value?: string }> };
}

/** A Sentry client (`Sentry.getClient()`) or the `@sentry/browser` namespace (`import * as Sentry`). */
export interface SentryTarget {
  captureEvent(event: SentryEventLike, hint?: unknown): string | undefined;
  /** Resolves once everything captured so far was sent (or `timeout` ms passed). */
  flush?(timeout?: number): PromiseLike<boolean>;
  addEventProcessor?(processor: SentryProcessor): void;
  getClient?(): { addEventProcessor?(processor: SentryProcessor): void } | undefined;
}

/** An event processor that returns the event it was given (so it fits any SDK's event type). */
export type SentryProcessor = <E extends SentryEventLike>(event: E) => E;
