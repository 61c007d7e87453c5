/**
 * One request a conformance probe sent and the answer it got, kept whole so a check can show a person
 * exactly what decided it (the way a protocol test suite prints the frames it exchanged).
 */

export interface Exchange {
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
  /** Absent when no answer arrived (`error` says why). */
  answer?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** Sends one request to `base` + `path` and records it; a network error or a timeout is recorded, not thrown. */
export async function exchange(base: string, path: string, options: SendOptions): Promise<Exchange> {
  const method = options.method ?? 'POST';
  const headers = {
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const record: Exchange = {
    request: { method, path, headers, ...(options.body === undefined ? {} : { body: options.body }) },
  };
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      // A 3xx to a write is not an answer to it: shown as it came, never followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = await response.text();
    record.answer = { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    record.error =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
  }
  return record;
}

/** A response header by (lower-case) name. */
export function header(e: Exchange, name: string): string | undefined {
  return e.answer?.headers[name];
}

/** The key a response echoed, unquoted (the protocol accepts an sf-string or a bare token). */
export function echoedKey(e: Exchange): string | undefined {
  const value = header(e, 'idempotency-key')?.trim();
  if (value === undefined) return undefined;
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

export function isReplayed(e: Exchange): boolean {
  return header(e, 'idempotent-replayed')?.trim().toLowerCase() === 'true';
}

export function status(e: Exchange): number | undefined {
  return e.answer?.status;
}

export function is2xx(e: Exchange): boolean {
  const s = status(e);
  return s !== undefined && s >= 200 && s < 300;
}

/** The headers a person reading a check needs to see; the rest would only push them off the screen. */
const SHOWN = [
  'idempotency-key',
  'idempotent-replayed',
  'idempotency-retention',
  'retry-after',
  'landed-fault',
  'location',
  'authorization',
];

/**
 * `> request` and `< answer`, folded at `width` columns between headers (continuation lines indented),
 * so the body that decided a check stays on screen; only a single part longer than a line is cut.
 */
export function describeExchange(e: Exchange, width = 92): string[] {
  const shown = (headers: Record<string, string>) =>
    SHOWN.filter((name) => headers[name] !== undefined).map((name) => `${name}: ${headers[name]}`);
  const { request } = e;
  const sent = [`${request.method} ${request.path}`, ...shown(request.headers)];
  if (request.body !== undefined) sent.push(request.body);
  const got = e.answer
    ? [String(e.answer.status), ...shown(e.answer.headers), e.answer.body.replace(/\s+/g, ' ').trim()]
    : [`(${e.error ?? 'no answer'})`];
  return [...fold('> ', sent, width), ...fold('< ', got.filter(Boolean), width)];
}

function fold(mark: string, parts: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const prefix = line === '' ? (lines.length === 0 ? mark : '    ') : `${line}  `;
    if (line !== '' && prefix.length + part.length > width) {
      lines.push(line);
      line = cut(`    ${part}`, width);
    } else line = cut(prefix + part, width);
  }
  if (line !== '') lines.push(line);
  return lines;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
