/**
 * @landed/sentry — reports the Landed writes that need a person to Sentry: one event per write that
 * was refused, expired or stayed uncertain too long, its attempts as breadcrumbs, `landed.*` tags, and
 * never a request body, credential header, cookie or query string unless chosen field by field.
 */
export { eventFor } from './event.ts';
export type { SentryReporterOptions } from './reporter.ts';
export { sentryReporter } from './reporter.ts';
export { landedBeforeSend, scrubEvent, scrubText, scrubUrl } from './scrub.ts';
export { selectFields } from './select.ts';
export type {
  SentryBreadcrumb,
  SentryEventLike,
  SentryLevel,
  SentryProcessor,
  SentryTarget,
} from './types.ts';
