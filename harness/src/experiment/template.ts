/**
 * Per-write templates in paths, lanes, write ids and the strings of a body: `{{writeId}}`, `{{n}}`
 * (the write's number within its client, from 0), `{{client}}` (the client's number, from 0),
 * `{{kind}}` (`landed` or `naive`), `{{run}}` (this scenario run's id), `{{step}}` and `{{round}}`
 * (the write's place in its `sequence`: n mod its length, and how many sequences came before), the
 * experiment's own `fields`, and sums of numbers such as `{{n - step + 1}}`.
 */
export interface WriteFields {
  writeId: string;
  n: number;
  client: number;
  run: string;
  kind?: string;
  step?: number;
  round?: number;
  [field: string]: string | number | undefined;
}

const EXPRESSION = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** The value of `n`, `client - 1`, `n + 18383769`…; undefined when a name is unknown or a sum is not of numbers. */
function evaluate(expression: string, fields: WriteFields): string | number | undefined {
  const parts = expression.split(/\s*([+-])\s*/);
  const value = (term: string): string | number | undefined =>
    /^\d+$/.test(term) ? Number(term) : /^\w+$/.test(term) ? fields[term] : undefined;
  const first = value(parts[0] ?? '');
  if (parts.length === 1) return first;
  if (typeof first !== 'number') return undefined;
  let sum = first;
  for (let i = 1; i < parts.length; i += 2) {
    const term = value(parts[i + 1] ?? '');
    if (typeof term !== 'number') return undefined;
    sum = parts[i] === '+' ? sum + term : sum - term;
  }
  return sum;
}

export function render(template: string, fields: WriteFields): string {
  return template.replace(EXPRESSION, (whole, expression: string) => {
    const value = evaluate(expression, fields);
    return value === undefined ? whole : String(value);
  });
}

/** Renders every string in a JSON body; a string that is one template of a number (`"{{n}}"`, `"{{n + 1}}"`) becomes that number. */
export function renderBody(body: unknown, fields: WriteFields): unknown {
  if (typeof body === 'string') {
    const only = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(body)?.[1];
    const value = only === undefined ? undefined : evaluate(only, fields);
    return typeof value === 'number' ? value : render(body, fields);
  }
  if (Array.isArray(body)) return body.map((v) => renderBody(v, fields));
  if (body && typeof body === 'object')
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderBody(v, fields)]));
  return body;
}
