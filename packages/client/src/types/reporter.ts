import type { Entry, LogRecord } from './entry.ts';
import type { QuarantinedRecord } from './store.ts';

/**
 * What needs a person. Each entry is reported once per kind (no storms): a `rejected` or `expired`
 * entry, an entry `uncertain` for longer than `uncertainReportAfterMs`, and a corrupt store record.
 */
export type ReportEvent =
  | { kind: 'rejected' | 'expired' | 'uncertain-too-long'; entry: Entry; attempts: readonly LogRecord[] }
  | { kind: 'quarantined'; record: QuarantinedRecord; store: string };

/** Implemented by `@landed/sentry`; any object with `report()` will do. Must not throw. */
export interface Reporter {
  report(event: ReportEvent): void | Promise<void>;
}
