import type { Reporter } from '@landed/client';
import { eventFor, KIND_TAG } from './event.ts';
import { scrubEvent } from './scrub.ts';
import type { SentryEventLike, SentryTarget } from './types.ts';

export interface SentryReporterOptions {
  /**
   * Where events go: a Sentry client (`Sentry.getClient()`) or the `@sentry/browser` namespace
   * (`import * as Sentry from '@sentry/browser'`).
   * @default globalThis.Sentry (the SDK loaded from Sentry's CDN)
   */
  client?: SentryTarget;
  /**
   * Data to send on purpose, by name: `body.<path>` (a field of the request body), `response.<path>`
   * (of the deciding response's body), `header.<name>` (a header the app set on the write),
   * `query.<name>` (a query parameter), `principal`. Nothing else of a write's data is ever sent.
   * @default []
   */
  includeFields?: string[];
  /** Keep the app's own breadcrumbs (clicks, console, fetches) on Landed events, scrubbed. @default false */
  keepAppBreadcrumbs?: boolean;
}

/**
 * The Landed `Reporter` over Sentry: one event per write that needs a person (refused, expired,
 * uncertain too long) and per unreadable store record, with the write's attempts as breadcrumbs and
 * `landed.*` tags. It registers an event processor that scrubs its own events after the SDK added the
 * page's context (URL query strings, cookies, credential headers, bodies), so nothing private rides
 * along even when the app's `Sentry.init()` has no `beforeSend`.
 */
export function sentryReporter(options: SentryReporterOptions = {}): Reporter {
  const includeFields = options.includeFields ?? [];
  let processing: SentryTarget | undefined;
  let warned = false;

  function ownEvents<E extends SentryEventLike>(event: E): E {
    if (event.tags?.[KIND_TAG] === undefined) return event;
    if (!options.keepAppBreadcrumbs && event.breadcrumbs)
      event.breadcrumbs = event.breadcrumbs.filter((crumb) => crumb.category?.startsWith('landed.'));
    return scrubEvent(event);
  }

  function target(): SentryTarget | undefined {
    const found = options.client ?? (globalThis as { Sentry?: SentryTarget }).Sentry;
    if (found && processing !== found) {
      processing = found;
      const client = found.getClient?.() ?? found;
      if (client.addEventProcessor) client.addEventProcessor(ownEvents);
      else found.addEventProcessor?.(ownEvents);
    }
    return found;
  }

  return {
    report: function reportToSentry(event) {
      try {
        const sentry = target();
        if (!sentry) {
          if (!warned)
            console.warn(
              '@landed/sentry: no Sentry client given and none on globalThis.Sentry; reports are dropped',
            );
          warned = true;
          return;
        }
        sentry.captureEvent(eventFor(event, includeFields));
      } catch {
        // A reporter must never break the outbox (see Reporter).
      }
    },
  };
}
