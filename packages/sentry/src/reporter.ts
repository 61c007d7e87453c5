import type { ReportEvent, Reporter } from '@landed/client';
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
  /**
   * Landed events handed to Sentry and not yet sent, at most. The SDK sends a bounded number of
   * envelopes at once (40 in `@sentry/browser`) and drops what comes on top; past this many, further
   * reports wait for the earlier ones to be sent, so a burst (an outage that expires hundreds of writes
   * together) arrives whole and leaves room for the app's own events. @default 10
   */
  maxInFlight?: number;
}

/** How long one report waits for Sentry to send what it was given before it counts as handed over. */
const FLUSH_TIMEOUT_MS = 10_000;

/**
 * The Landed `Reporter` over Sentry: one event per write that needs a person (refused, expired,
 * uncertain too long) and per unreadable store record, with the write's attempts as breadcrumbs and
 * `landed.*` tags. It registers an event processor that scrubs its own events after the SDK added the
 * page's context (URL query strings, cookies, credential headers, bodies), so nothing private rides
 * along even when the app's `Sentry.init()` has no `beforeSend`.
 */
export function sentryReporter(options: SentryReporterOptions = {}): Reporter {
  const includeFields = options.includeFields ?? [];
  const maxInFlight = options.maxInFlight ?? 10;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw new TypeError('sentryReporter(): `maxInFlight` must be a positive integer');
  let processing: SentryTarget | undefined;
  let warned = false;
  let inFlight = 0;
  const waiting: Array<() => void> = [];

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

  /** Captures the event, then resolves once Sentry sent it (or gave up), and frees its place. */
  function send(sentry: SentryTarget, event: ReportEvent): Promise<void> {
    let sent: PromiseLike<boolean> | undefined;
    try {
      sentry.captureEvent(eventFor(event, includeFields));
      sent = sentry.flush?.(FLUSH_TIMEOUT_MS);
    } catch {
      // A reporter must never break the outbox (see Reporter).
    }
    return Promise.resolve(sent).then(leave, leave);
  }

  function leave(): void {
    const next = waiting.shift();
    if (next)
      next(); // the place passes on
    else inFlight--;
  }

  return {
    // Resolves once Sentry sent the event (the client then marks the entry reported). Up to
    // `maxInFlight` events go out at once; later ones wait for a place.
    report: function reportToSentry(event) {
      let sentry: SentryTarget | undefined;
      try {
        sentry = target();
      } catch {
        return; // A reporter must never break the outbox (see Reporter).
      }
      if (!sentry) {
        if (!warned)
          console.warn(
            '@landed/sentry: no Sentry client given and none on globalThis.Sentry; reports are dropped',
          );
        warned = true;
        return;
      }
      if (inFlight < maxInFlight) {
        inFlight++;
        return send(sentry, event);
      }
      return new Promise<void>((resolve) => waiting.push(() => void send(sentry, event).then(resolve)));
    },
  };
}
