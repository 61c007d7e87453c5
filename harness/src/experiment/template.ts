/**
 * Per-write templates: `{{writeId}}`, `{{n}}` (the write's number within its client), `{{client}}`
 * (the client's number) and `{{run}}` (this run's id) in paths, lanes and the strings of a body.
 */
export interface WriteFields {
  writeId: string;
  n: number;
  client: number;
  run: string;
}

export function render(template: string, fields: WriteFields): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in fields ? String(fields[name as keyof WriteFields]) : whole,
  );
}

/** Renders every string in a JSON body; a string that is exactly `{{n}}` or `{{client}}` stays a number. */
export function renderBody(body: unknown, fields: WriteFields): unknown {
  if (typeof body === 'string') {
    const only = /^\{\{\s*(n|client)\s*\}\}$/.exec(body)?.[1] as 'n' | 'client' | undefined;
    return only ? fields[only] : render(body, fields);
  }
  if (Array.isArray(body)) return body.map((v) => renderBody(v, fields));
  if (body && typeof body === 'object')
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderBody(v, fields)]));
  return body;
}
