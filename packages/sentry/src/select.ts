import type { Entry } from '@landed/client';

/** Reads `a.b.c` out of a JSON value; `undefined` when any step is missing. */
function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The fields a person explicitly chose to send (`includeFields`), and nothing else:
 * `body.<path>` (request body), `response.<path>` (the deciding response's body), `header.<name>`
 * (a header the app set on the write), `query.<name>` (a query parameter), `principal`.
 */
export function selectFields(entry: Entry, fields: readonly string[]): Record<string, unknown> {
  const chosen: Record<string, unknown> = {};
  let parsed: { body: unknown } | undefined;
  for (const field of fields) {
    const dot = field.indexOf('.');
    const [scope, rest] = dot === -1 ? [field, ''] : [field.slice(0, dot), field.slice(dot + 1)];
    let value: unknown;
    if (scope === 'body') {
      parsed ??= { body: parse(entry.body) };
      value = pick(parsed.body, rest);
    } else if (scope === 'response') value = pick(entry.outcome?.body, rest);
    else if (scope === 'header')
      value = Object.entries(entry.headers ?? {}).find(
        ([name]) => name.toLowerCase() === rest.toLowerCase(),
      )?.[1];
    else if (scope === 'query')
      value = URL.canParse(entry.url) ? (new URL(entry.url).searchParams.get(rest) ?? undefined) : undefined;
    else if (scope === 'principal') value = entry.principal;
    if (value !== undefined) chosen[field] = value;
  }
  return chosen;
}
