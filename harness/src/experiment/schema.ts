/**
 * The experiment schema: turns the parsed file into an `Experiment`, filling defaults, or throws a
 * `SchemaError` with the path of the first field that is wrong and what it may be instead.
 */
import type { WriteMethod } from '@landed/client';
import type { FaultKind } from '@landed/server';
import type { Fault } from '../scenarios/faults.ts';
import type { ToxicKind } from '../toxiproxy/ProxyControl.ts';
import type { Experiment, Thresholds, TimedFault, Verification, WritePlan } from './Experiment.ts';

type Path = (string | number)[];

export class SchemaError extends Error {
  override name = 'SchemaError';
  readonly path: Path;
  constructor(path: Path, message: string) {
    super(message);
    this.path = path;
  }
}

/** Every toxic Toxiproxy 2.x offers; attributes are passed through as given. */
const TOXICS = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'];
const METHODS: WriteMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
const HTTP500: Record<string, FaultKind> = {
  'before-commit': '500-before-commit',
  'after-commit': '500-after-commit',
};

export function readExperiment(value: unknown, defaultName: string): Experiment {
  const root = object(value, []);
  allowOnly(root, [], ['name', 'target', 'clients', 'writes', 'verify', 'faults', 'thresholds', 'drainMs']);
  const target = string(root.target, ['target']);
  if (!URL.canParse(target) || new URL(target).protocol !== 'http:')
    throw new SchemaError(
      ['target'],
      `must be an http:// URL (Toxiproxy forwards TCP, so no TLS), got "${target}"`,
    );
  const faults = array(root.faults ?? [], ['faults']).map((f, i) => timedFault(f, ['faults', i]));
  checkOverlaps(faults);
  return {
    name: root.name === undefined ? defaultName : string(root.name, ['name']),
    target: target.replace(/\/$/, ''),
    clients: root.clients === undefined ? 1 : integer(root.clients, ['clients'], 1),
    writes: writePlan(root.writes, ['writes']),
    verify: verification(root.verify, ['verify']),
    faults,
    thresholds: thresholds(root.thresholds ?? {}, ['thresholds']),
    drainMs: root.drainMs === undefined ? 30_000 : integer(root.drainMs, ['drainMs'], 1),
  };
}

function writePlan(value: unknown, at: Path): WritePlan {
  const o = object(value, at);
  allowOnly(o, at, ['count', 'method', 'path', 'body', 'lane', 'spreadMs']);
  const method = o.method === undefined ? 'POST' : string(o.method, [...at, 'method']).toUpperCase();
  if (!(METHODS as string[]).includes(method))
    throw new SchemaError([...at, 'method'], `must be one of ${METHODS.join(', ')}, got "${method}"`);
  return {
    count: integer(o.count, [...at, 'count'], 1),
    method: method as WriteMethod,
    path: routePath(o.path, [...at, 'path']),
    ...(o.body === undefined ? {} : { body: o.body }),
    lane: o.lane === undefined ? '{{writeId}}' : string(o.lane, [...at, 'lane']),
    spreadMs: o.spreadMs === undefined ? 3_000 : integer(o.spreadMs, [...at, 'spreadMs'], 0),
  };
}

const VERIFY_HELP =
  'needs one of "get: /orders/{{writeId}}" (a route answering 200 with the stored body or 404), "sql: { sqlite: FILE | postgres: URL, query: ... }" or "ledger: true" (GET /_chaos/ledger)';

function verification(value: unknown, at: Path): Verification {
  if (value === undefined) throw new SchemaError(at, VERIFY_HELP);
  const o = object(value, at);
  allowOnly(o, at, ['get', 'sql', 'ledger']);
  if (Object.keys(o).length > 1)
    throw new SchemaError(at, 'give one of "get", "sql" and "ledger", not several');
  if (o.get !== undefined) return { kind: 'get', path: routePath(o.get, [...at, 'get']) };
  if (o.sql !== undefined) return sqlVerification(o.sql, [...at, 'sql']);
  if (o.ledger === true) return { kind: 'ledger' };
  throw new SchemaError(at, VERIFY_HELP);
}

function sqlVerification(value: unknown, at: Path): Verification {
  const o = object(value, at);
  allowOnly(o, at, ['sqlite', 'postgres', 'query']);
  const query = string(o.query, [...at, 'query']);
  if (o.sqlite !== undefined && o.postgres === undefined)
    return { kind: 'sql', database: { sqlite: string(o.sqlite, [...at, 'sqlite']) }, query };
  if (o.postgres !== undefined && o.sqlite === undefined) {
    const url = string(o.postgres, [...at, 'postgres']);
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new SchemaError([...at, 'postgres'], `must be a postgres:// connection string, got "${url}"`);
    return { kind: 'sql', database: { postgres: url }, query };
  }
  throw new SchemaError(
    at,
    'needs one of "sqlite: FILE" and "postgres: URL" (the database the target writes to)',
  );
}

function timedFault(value: unknown, at: Path): TimedFault {
  const o = object(value, at);
  const timing = ['start', 'duration', 'overlap'];
  const start = integer(o.start ?? 0, [...at, 'start'], 0);
  const duration = integer(o.duration, [...at, 'duration'], 1);
  const overlap = o.overlap === undefined ? false : boolean(o.overlap, [...at, 'overlap']);
  let fault: Fault;
  if (o.toxic !== undefined) {
    allowOnly(o, at, [...timing, 'toxic', 'stream', 'attributes', 'toxicity']);
    const kind = string(o.toxic, [...at, 'toxic']);
    if (!TOXICS.includes(kind))
      throw new SchemaError(
        [...at, 'toxic'],
        `must be a Toxiproxy toxic (${TOXICS.join(', ')}), got "${kind}"`,
      );
    const stream = o.stream === undefined ? 'downstream' : string(o.stream, [...at, 'stream']);
    if (stream !== 'upstream' && stream !== 'downstream')
      throw new SchemaError(
        [...at, 'stream'],
        `must be upstream (requests) or downstream (responses), got "${stream}"`,
      );
    const attributes: Record<string, number> = {};
    for (const [name, v] of Object.entries(object(o.attributes ?? {}, [...at, 'attributes'])))
      attributes[name] = number(v, [...at, 'attributes', name]);
    const toxicity = o.toxicity === undefined ? 1 : number(o.toxicity, [...at, 'toxicity']);
    if (toxicity < 0 || toxicity > 1)
      throw new SchemaError(
        [...at, 'toxicity'],
        `must be between 0 and 1 (the share of connections), got ${toxicity}`,
      );
    // Any Toxiproxy toxic: the control passes its type through as given.
    fault = {
      kind: 'toxic',
      target: 'app',
      toxic: { kind: kind as ToxicKind, stream, attributes, toxicity },
    };
  } else if (o.down !== undefined) {
    allowOnly(o, at, [...timing, 'down']);
    if (o.down !== true)
      throw new SchemaError([...at, 'down'], 'must be true (the proxy refuses connections)');
    fault = { kind: 'down', target: 'app' };
  } else if (o.http500 !== undefined) {
    allowOnly(o, at, [...timing, 'http500', 'rate']);
    const when = string(o.http500, [...at, 'http500']);
    const kind = HTTP500[when];
    if (!kind)
      throw new SchemaError([...at, 'http500'], `must be before-commit or after-commit, got "${when}"`);
    const rate = o.rate === undefined ? 1 : number(o.rate, [...at, 'rate']);
    if (rate <= 0 || rate > 1)
      throw new SchemaError([...at, 'rate'], `must be above 0 and at most 1, got ${rate}`);
    fault = { kind: 'server', setting: { kind, rate } };
  } else {
    throw new SchemaError(
      at,
      'a fault needs one of "toxic: <type>", "down: true" or "http500: before-commit|after-commit"',
    );
  }
  return { start, duration, fault, overlap };
}

/** Two faults at once compound (a timeout under a latency toxic is another experiment): say so. */
function checkOverlaps(faults: readonly TimedFault[]): void {
  for (const [i, a] of faults.entries())
    for (const [j, b] of faults.entries()) {
      if (j >= i || a.overlap || b.overlap) continue;
      if (a.start < b.start + b.duration && b.start < a.start + a.duration)
        throw new SchemaError(
          ['faults', i, 'start'],
          `overlaps faults[${j}]; move it, or set "overlap: true" on either if both are meant to act at once`,
        );
    }
}

function thresholds(value: unknown, at: Path): Thresholds {
  const o = object(value, at);
  allowOnly(o, at, [
    'maxLost',
    'maxDuplicated',
    'maxUnresolved',
    'maxWrongPayload',
    'p99Ms',
    'maxAttemptsPerWrite',
  ]);
  const count = (name: string) => (o[name] === undefined ? 0 : integer(o[name], [...at, name], 0));
  const optional = (name: string) => (o[name] === undefined ? undefined : number(o[name], [...at, name]));
  return {
    maxLost: count('maxLost'),
    maxDuplicated: count('maxDuplicated'),
    maxUnresolved: count('maxUnresolved'),
    maxWrongPayload: count('maxWrongPayload'),
    p99Ms: optional('p99Ms'),
    maxAttemptsPerWrite: optional('maxAttemptsPerWrite'),
  };
}

function routePath(value: unknown, at: Path): string {
  const text = string(value, at);
  if (!text.startsWith('/')) throw new SchemaError(at, `must be a path starting with "/", got "${text}"`);
  return text;
}

function allowOnly(o: Record<string, unknown>, at: Path, keys: readonly string[]): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key))
      throw new SchemaError([...at, key], `unknown field; allowed here: ${keys.join(', ')}`);
}

function object(value: unknown, at: Path): Record<string, unknown> {
  if (value === undefined) throw new SchemaError(at, 'is required');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SchemaError(at, 'must be a mapping of fields');
  return value as Record<string, unknown>;
}

function array(value: unknown, at: Path): unknown[] {
  if (!Array.isArray(value)) throw new SchemaError(at, 'must be a list');
  return value;
}

function string(value: unknown, at: Path): string {
  if (value === undefined) throw new SchemaError(at, 'is required');
  if (typeof value !== 'string' || value === '') throw new SchemaError(at, 'must be a non-empty string');
  return value;
}

function boolean(value: unknown, at: Path): boolean {
  if (typeof value !== 'boolean') throw new SchemaError(at, 'must be true or false');
  return value;
}

function number(value: unknown, at: Path): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SchemaError(at, `must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function integer(value: unknown, at: Path, min: number): number {
  if (value === undefined) throw new SchemaError(at, 'is required');
  const n = number(value, at);
  if (!Number.isSafeInteger(n) || n < min)
    throw new SchemaError(at, `must be an integer of at least ${min}, got ${n}`);
  return n;
}
