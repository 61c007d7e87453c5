import type { Client, Entry, EntryState, LogRecord } from '@landed/client';
import { h } from './dom.ts';
import { title } from './format.ts';
import { type Action, entryTable, historyList, logList } from './render.ts';
import { styles } from './styles.ts';

const FILTERS: Array<[string, string]> = [
  ['all', 'All writes'],
  ['attention', 'Needs attention'],
  ['queued', 'Queued'],
  ['sending', 'Sending'],
  ['uncertain', 'Uncertain'],
  ['confirmed', 'Confirmed'],
  ['rejected', 'Rejected'],
  ['expired', 'Expired'],
];

// Defined in environments without the DOM too (server rendering, Node tests importing the package).
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * `<landed-console>`: the replay console of a Landed outbox, for a developer or a support person.
 * It lists the writes (state, attempts, last error, age), filters them by state, shows one write's
 * attempt history and the log, and offers "Replay", "Discard" and "Retry now", each calling the
 * client. Give it a client: `document.querySelector('landed-console').client = client`.
 *
 * Attributes: `filter` (a state, `attention` or `all`; reflects the select), `log-limit` (records in
 * the log section, default 50).
 */
export class LandedConsole extends Base {
  static observedAttributes = ['filter', 'log-limit'];
  #client: Client | undefined;
  #unsubscribe: Array<() => void> = [];
  #openId: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #generation = 0;
  readonly #names = new Map<string, string>();
  #parts:
    | {
        summary: HTMLElement;
        message: HTMLElement;
        filter: HTMLSelectElement;
        table: HTMLElement;
        history: HTMLElement;
        log: HTMLElement;
      }
    | undefined;

  get client(): Client | undefined {
    return this.#client;
  }

  set client(client: Client | undefined) {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#client = client;
    if (client) {
      const later = () => this.#schedule();
      this.#unsubscribe.push(client.on('transition', later), client.on('attempt', later));
    }
    this.#schedule();
  }

  get filter(): string {
    return this.getAttribute('filter') ?? 'all';
  }

  set filter(value: string) {
    this.setAttribute('filter', value);
  }

  connectedCallback(): void {
    if (!this.#parts) this.#build();
    this.#ticker = setInterval(() => this.#schedule(), 10_000);
    this.#schedule();
  }

  disconnectedCallback(): void {
    clearInterval(this.#ticker);
    clearTimeout(this.#timer);
  }

  attributeChangedCallback(): void {
    if (this.#parts && this.#parts.filter.value !== this.filter) this.#parts.filter.value = this.filter;
    this.#schedule();
  }

  /** Renders now and resolves once the table, history and log show the client's current state. */
  async refresh(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#render();
  }

  #build(): void {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const filter = h(
      'select',
      { id: 'filter' },
      ...FILTERS.map(([value, text]) => h('option', { value }, text)),
    );
    filter.value = this.filter;
    filter.addEventListener('change', () => {
      this.filter = filter.value;
    });
    const parts = {
      summary: h('p', { class: 'summary', role: 'status' }),
      message: h('p', { class: 'message', role: 'status', 'aria-live': 'polite' }),
      filter,
      table: h('div', {}),
      history: h('div', {}),
      log: h('div', {}),
    };
    const style = h('style', {}, styles);
    root.replaceChildren(
      style,
      h(
        'section',
        { class: 'landed', 'aria-labelledby': 'landed-title' },
        h('header', {}, h('h2', { id: 'landed-title' }, 'Writes'), parts.summary),
        h('div', { class: 'controls' }, h('label', { for: 'filter' }, 'Show'), filter),
        parts.message,
        parts.table,
        parts.history,
        parts.log,
      ),
    );
    root.addEventListener('click', (event) => {
      const target = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
      if (target && !target.disabled)
        void this.#act(target.dataset.action as Action, target.dataset.id ?? '');
    });
    this.#parts = parts;
  }

  #schedule(): void {
    if (this.#timer !== undefined || !this.#parts) return;
    // Many transitions arrive together (a flush); one render a moment later shows them all.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#render();
    }, 50);
  }

  #visible(entries: Entry[]): Entry[] {
    const filter = this.filter;
    if (filter === 'all') return entries;
    if (filter === 'attention')
      return entries.filter(
        (e) => e.state === 'rejected' || e.state === 'expired' || e.reported?.includes('uncertain-too-long'),
      );
    return entries.filter((e) => e.state === (filter as EntryState));
  }

  async #render(): Promise<void> {
    const parts = this.#parts;
    const client = this.#client;
    if (!parts) return;
    const generation = ++this.#generation;
    if (!client) {
      parts.summary.textContent = 'No client connected.';
      parts.table.replaceChildren();
      return;
    }
    const entries = client.list();
    const open = this.#openId === undefined ? undefined : client.get(this.#openId);
    const limit = Number(this.getAttribute('log-limit') ?? 50);
    const [history, log] = await Promise.all([
      open ? client.log(open.id).catch(() => [] as LogRecord[]) : Promise.resolve([] as LogRecord[]),
      client.log().catch(() => [] as LogRecord[]),
    ]);
    if (generation !== this.#generation) return; // a newer render is on its way
    const root = this.shadowRoot as ShadowRoot;
    const focused = root.activeElement as HTMLElement | null;
    const focusKey = focused?.dataset.action ? `${focused.dataset.action}:${focused.dataset.id}` : undefined;

    parts.summary.textContent = client.summary().text;
    parts.table.replaceChildren(entryTable(this.#visible(entries), Date.now(), open?.id));
    parts.history.replaceChildren(historyList(open, history));
    // Remembered beyond the entries' lives: a discarded write still has a name in the log.
    for (const entry of entries) this.#names.set(entry.id, title(entry));
    parts.log.replaceChildren(logList(log.slice(-limit).reverse(), this.#names));

    // Re-rendering replaces the buttons: keep keyboard users where they were.
    if (focusKey) {
      const [action, id] = focusKey.split(':');
      const again = root.querySelector<HTMLButtonElement>(
        `button[data-action="${action}"][data-id="${CSS.escape(id ?? '')}"]`,
      );
      if (again && !again.disabled) again.focus();
      else
        root
          .querySelector<HTMLElement>(`tr[data-id="${CSS.escape(id ?? '')}"] button:not([disabled])`)
          ?.focus();
    }
  }

  async #act(action: Action, id: string): Promise<void> {
    const client = this.#client;
    const parts = this.#parts;
    if (!client || !parts) return;
    const entry = client.get(id);
    const name = entry ? title(entry) : 'the write';
    parts.message.classList.remove('error');
    try {
      if (action === 'history') {
        this.#openId = this.#openId === id ? undefined : id;
      } else if (action === 'replay') {
        await client.replay(id);
        parts.message.textContent = `Replaying ${name} with its original key.`;
      } else if (action === 'discard') {
        await client.discard(id);
        if (this.#openId === id) this.#openId = undefined;
        parts.message.textContent = `Discarded ${name}.`;
      } else {
        await client.retryNow(id);
        parts.message.textContent = `Retrying ${name} now.`;
      }
    } catch (error) {
      parts.message.classList.add('error');
      parts.message.textContent = `Could not ${action === 'retry' ? 'retry' : action} ${name}: ${(error as Error).message}`;
    }
    this.dispatchEvent(
      new CustomEvent('landed-action', { detail: { action, id }, bubbles: true, composed: true }),
    );
    await this.refresh();
  }
}
