import type { AttemptRecord, ReportEvent } from '@landed/client';
import { scrubText, scrubUrl } from './scrub.ts';
import { selectFields } from './select.ts';
import type { SentryBreadcrumb, SentryEventLike } from './types.ts';

/** Marks the events this package makes, so its event processor scrubs exactly those. */
export const KIND_TAG = 'landed.kind';

const MESSAGES = {
  rejected: 'the server refused a write',
  expired: 'a write may or may not have landed and a person must decide',
  'uncertain-too-long': 'a write has been uncertain for too long',
} as const;

function pathOf(url: string): string {
  return URL.canParse(url) ? new URL(url).pathname : scrubUrl(url);
}

function breadcrumb(record: AttemptRecord, method: string, url: string): SentryBreadcrumb {
  const answer = record.status !== undefined ? `HTTP ${record.status}` : (record.errorCode ?? 'no answer');
  const data: Record<string, unknown> = {
    attempt: record.attempt,
    result: record.result,
    durationMs: record.durationMs,
    method,
    url,
  };
  if (record.status !== undefined) data.status = record.status;
  if (record.errorCode !== undefined) data.errorCode = record.errorCode;
  if (record.replayed) data.replayed = true;
  return {
    type: 'http',
    category: record.kind === 'lookup' ? 'landed.lookup' : 'landed.attempt',
    level: record.result === 'ok' ? 'info' : record.result === 'fail' ? 'error' : 'warning',
    timestamp: record.at / 1000,
    message: `${record.kind === 'lookup' ? 'lookup of the key' : `attempt ${record.attempt}`}: ${answer} (${record.result})`,
    data,
  };
}

/** One Sentry event for one report: tags to search by, the attempts as breadcrumbs, no bodies. */
export function eventFor(report: ReportEvent, includeFields: readonly string[]): SentryEventLike {
  if (report.kind === 'quarantined') {
    // The excerpt is left out on purpose: it is raw stored data and may hold a request body.
    return {
      level: 'warning',
      message: `Landed: an unreadable outbox record was set aside (${report.record.location})`,
      tags: { [KIND_TAG]: 'quarantined', 'landed.store': report.store },
      contexts: { landed: { location: report.record.location, reason: report.record.reason } },
      fingerprint: ['landed', 'quarantined', report.store],
    };
  }
  const { entry, kind, attempts } = report;
  const url = scrubUrl(entry.url);
  const status = entry.outcome?.status ?? entry.lastError?.status;
  const context: Record<string, unknown> = {
    id: entry.id,
    key: entry.key,
    method: entry.method,
    url,
    lane: entry.lane,
    state: entry.state,
    attempts: entry.attempts,
    createdAt: new Date(entry.createdAt).toISOString(),
  };
  if (entry.label !== undefined) context.label = entry.label;
  if (entry.firstSentAt !== undefined) context.firstSentAt = new Date(entry.firstSentAt).toISOString();
  if (entry.outcome?.reason !== undefined) context.reason = scrubText(entry.outcome.reason);
  if (entry.lastError) context.lastError = `${entry.lastError.code}: ${scrubText(entry.lastError.message)}`;
  const included = selectFields(entry, includeFields);
  if (Object.keys(included).length > 0) context.included = included;
  return {
    level: kind === 'rejected' ? 'error' : 'warning',
    // The entry's id in the message: Sentry's default Dedupe integration drops an event whose message
    // and fingerprint equal the previous event's, which would swallow every write but the first of a
    // broken endpoint. Grouping is by `fingerprint`, so the id does not split the issue.
    message: `Landed: ${MESSAGES[kind]}: ${entry.label ?? `${entry.method} ${pathOf(entry.url)}`} (entry ${entry.id.slice(0, 8)})`,
    tags: {
      [KIND_TAG]: kind,
      'landed.state': entry.state,
      'landed.attempts': String(entry.attempts),
      'landed.lane': entry.lane,
      'landed.status': status === undefined ? 'none' : String(status),
      'landed.method': entry.method,
    },
    contexts: { landed: context },
    // Grouped by what failed and where, not by entry: a broken endpoint is one issue with many events.
    fingerprint: ['landed', kind, entry.method, pathOf(entry.url)],
    breadcrumbs: attempts
      .filter((r): r is AttemptRecord => r.type === 'attempt')
      .map((r) => breadcrumb(r, entry.method, url)),
  };
}
