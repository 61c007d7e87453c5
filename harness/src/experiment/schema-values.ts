/**
 * The small readers the experiment schema is built from: each takes a value and the path it was
 * found at, and returns it typed or throws a `SchemaError` naming that path (load.ts turns the path
 * into the file's line).
 */
export type Path = (string | number)[];

export class SchemaError extends Error {
  override name = 'SchemaError';
  readonly path: Path;
  constructor(path: Path, message: string) {
    super(message);
    this.path = path;
  }
}

export function allowOnly(o: Record<string, unknown>, at: Path, keys: readonly string[]): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key))
      throw new SchemaError([...at, key], `unknown field; allowed here: ${keys.join(', ')}`);
}

export function object(value: unknown, at: Path): Record<string, unknown> {
  if (value === undefined) throw new SchemaError(at, 'is required');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SchemaError(at, 'must be a mapping of fields');
  return value as Record<string, unknown>;
}

export function array(value: unknown, at: Path): unknown[] {
  if (!Array.isArray(value)) throw new SchemaError(at, 'must be a list');
  return value;
}

export function string(value: unknown, at: Path): string {
  if (value === undefined) throw new SchemaError(at, 'is required');
  if (typeof value !== 'string' || value === '') throw new SchemaError(at, 'must be a non-empty string');
  return value;
}

export function oneOf<T extends string>(value: unknown, at: Path, allowed: readonly T[], what = ''): T {
  const text = string(value, at);
  if (!(allowed as readonly string[]).includes(text))
    throw new SchemaError(at, `must be ${allowed.join(' or ')}${what}, got "${text}"`);
  return text as T;
}

export function boolean(value: unknown, at: Path): boolean {
  if (typeof value !== 'boolean') throw new SchemaError(at, 'must be true or false');
  return value;
}

export function number(value: unknown, at: Path): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SchemaError(at, `must be a number, got ${JSON.stringify(value)}`);
  return value;
}

export function integer(value: unknown, at: Path, min: number): number {
  if (value === undefined) throw new SchemaError(at, 'is required');
  const n = number(value, at);
  if (!Number.isSafeInteger(n) || n < min)
    throw new SchemaError(at, `must be an integer of at least ${min}, got ${n}`);
  return n;
}

export function optionalInteger(value: unknown, at: Path, min: number): number | undefined {
  return value === undefined ? undefined : integer(value, at, min);
}

export function routePath(value: unknown, at: Path): string {
  const text = string(value, at);
  if (!text.startsWith('/')) throw new SchemaError(at, `must be a path starting with "/", got "${text}"`);
  return text;
}
