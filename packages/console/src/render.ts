import type { Entry, EntryState, LogRecord } from '@landed/client';
import { h } from './dom.ts';
import { age, clock, describeRecord, lastError, title } from './format.ts';

export type Action = 'replay' | 'discard' | 'retry' | 'history';

const TERMINAL: ReadonlySet<EntryState> = new Set(['confirmed', 'rejected', 'expired']);

/** Which buttons apply to an entry, mirroring what the client accepts (see `Client`). */
export function allowed(entry: Entry): Record<Exclude<Action, 'history'>, boolean> {
  const terminal = TERMINAL.has(entry.state);
  return {
    replay: terminal,
    discard: terminal || entry.state === 'queued' || entry.parked === true,
    retry: !terminal && entry.state !== 'sending',
  };
}

function button(
  action: Action,
  entry: Entry,
  text: string,
  enabled: boolean,
  extra: Record<string, string> = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      'data-action': action,
      'data-id': entry.id,
      'aria-label': `${text} ${title(entry)}`,
      disabled: !enabled,
      ...extra,
    },
    text,
  );
}

export function entryRow(entry: Entry, now: number, open: boolean): HTMLTableRowElement {
  const can = allowed(entry);
  const needsPerson = entry.state === 'rejected' || entry.state === 'expired';
  return h(
    'tr',
    { 'data-id': entry.id, 'data-state': entry.state },
    h('th', { scope: 'row' }, title(entry), entry.parked ? h('span', { class: 'tag' }, ' parked') : null),
    h('td', {}, h('span', { class: `state ${entry.state}${needsPerson ? ' attention' : ''}` }, entry.state)),
    h('td', { class: 'num' }, String(entry.attempts)),
    h('td', { class: 'error' }, lastError(entry)),
    h(
      'td',
      { class: 'num' },
      h('time', { datetime: new Date(entry.createdAt).toISOString() }, age(entry.createdAt, now)),
    ),
    h(
      'td',
      { class: 'actions' },
      button('history', entry, 'History', true, {
        'aria-expanded': String(open),
        'aria-controls': 'landed-history',
      }),
      button('replay', entry, 'Replay', can.replay),
      button('discard', entry, 'Discard', can.discard),
      button('retry', entry, 'Retry now', can.retry),
    ),
  );
}

export function entryTable(entries: Entry[], now: number, openId: string | undefined): HTMLTableElement {
  const head = h(
    'tr',
    {},
    ...['Write', 'State', 'Attempts', 'Last error', 'Age', 'Actions'].map((name) =>
      h('th', { scope: 'col' }, name),
    ),
  );
  const body = h('tbody', {});
  for (const entry of entries) body.append(entryRow(entry, now, entry.id === openId));
  if (entries.length === 0)
    body.append(h('tr', {}, h('td', { colspan: '6', class: 'empty' }, 'No writes match this filter.')));
  return h('table', {}, h('caption', {}, 'Outbox'), h('thead', {}, head), body);
}

export function historyList(entry: Entry | undefined, records: LogRecord[]): HTMLElement {
  if (!entry) return h('section', { id: 'landed-history', 'aria-label': 'Attempt history', hidden: true });
  return h(
    'section',
    { id: 'landed-history', 'aria-labelledby': 'landed-history-title' },
    h('h3', { id: 'landed-history-title' }, `History of ${title(entry)}`),
    h('p', { class: 'key' }, `Idempotency key ${entry.key}`),
    records.length === 0
      ? h('p', {}, 'Nothing logged yet.')
      : h(
          'ol',
          {},
          ...records.map((record) =>
            h(
              'li',
              { 'data-type': record.type },
              h('time', {}, clock(record.at)),
              ' ',
              describeRecord(record),
            ),
          ),
        ),
  );
}

export function logList(records: LogRecord[], names: Map<string, string>): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'landed-log-title' },
    h('h3', { id: 'landed-log-title' }, 'Log'),
    records.length === 0
      ? h('p', {}, 'Nothing logged yet.')
      : h(
          'ol',
          { class: 'log', reversed: true },
          ...records.map((record) =>
            h(
              'li',
              {},
              h('time', {}, clock(record.at)),
              ' ',
              h('strong', {}, names.get(record.entryId) ?? 'removed write'),
              ' ',
              describeRecord(record),
            ),
          ),
        ),
  );
}
