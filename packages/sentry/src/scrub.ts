import type { SentryBreadcrumb, SentryEventLike } from './types.ts';

/** Headers that carry credentials: never sent to Sentry, whatever else is kept. */
const SECRET_HEADERS =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token)$/i;
const BODY_KEYS = ['request_body', 'response_body', 'body', 'data'];

/** `https://api.example/orders?token=…#x` → `https://api.example/orders`: query strings often hold tokens. */
export function scrubUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** Removes the query string of every URL inside free text (log lines, error messages). */
export function scrubText(text: string): string {
  return text.replace(/(\b(?:https?|wss?):\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1');
}

/** Scrubs a breadcrumb's data to any depth: URLs lose their query, bodies are dropped, log arguments are cleaned. */
function scrubValue(value: unknown, key: string, depth: number): unknown {
  if (typeof value === 'string')
    return key === 'url' || key === 'from' || key === 'to' ? scrubUrl(value) : scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 5) return '[scrubbed]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, '', depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value))
    if (!BODY_KEYS.includes(name)) out[name] = scrubValue(item, name, depth + 1);
  return out;
}

function scrubCrumb(crumb: SentryBreadcrumb): SentryBreadcrumb {
  const next = { ...crumb };
  if (typeof next.message === 'string') next.message = scrubText(next.message);
  if (next.data) next.data = scrubValue(next.data, '', 0) as Record<string, unknown>;
  return next;
}

/**
 * Strips from any Sentry event what must not leave the page: request bodies, cookies, credential
 * headers, and the query strings of every URL (the request, the referrer, breadcrumbs, messages).
 * Add it to your own `Sentry.init({ beforeSend: landedBeforeSend })` to cover events Landed did not make.
 */
export function scrubEvent<E extends SentryEventLike>(event: E): E {
  if (event.request) {
    const { data: _data, cookies: _cookies, query_string: _query, ...request } = event.request;
    if (typeof request.url === 'string') request.url = scrubUrl(request.url);
    if (request.headers) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!SECRET_HEADERS.test(name)) headers[name] = /^referr?er$/i.test(name) ? scrubUrl(value) : value;
      }
      request.headers = headers;
    }
    event.request = request;
  }
  if (typeof event.message === 'string') event.message = scrubText(event.message);
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubCrumb);
  for (const value of event.exception?.values ?? [])
    if (typeof value.value === 'string') value.value = scrubText(value.value);
  return event;
}

/** `beforeSend` for `Sentry.init()`: `scrubEvent` on every event. */
export function landedBeforeSend<E extends SentryEventLike>(event: E): E {
  return scrubEvent(event);
}
