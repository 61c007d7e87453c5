/**
 * The experiment schema: turns the parsed file into an `Experiment`, filling defaults, or throws a
 * `SchemaError` with the path of the first field that is wrong and what it may be instead. Faults
 * are read in `schema-faults.ts`.
 */
import type { WriteMethod } from '@landed/client';
import type { ClientKind } from '../checker/history.ts';
import { clientKinds } from '../clients/kinds.ts';
import type { Experiment, Scenario, Thresholds, WritePlan, WriteTemplate } from './Experiment.ts';
import { checkFaults, type FaultContext, menuFault, timedFault } from './schema-faults.ts';
import {
  allowOnly,
  array,
  integer,
  number,
  object,
  oneOf,
  optionalInteger,
  type Path,
  routePath,
  SchemaError,
  string,
} from './schema-values.ts';
import { verification } from './schema-verify.ts';

export { SchemaError } from './schema-values.ts';

const METHODS: WriteMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** Every registered client kind (harness/src/clients/kinds.ts): Landed, the naive client and the peers. */
const KINDS = (): ClientKind[] => clientKinds().map((k) => k.name);
const BUILT_IN_FIELDS = ['writeId', 'n', 'client', 'kind', 'run', 'step', 'round'];
const ROOT = [
  'name',
  'target',
  'unsupported',
  'clients',
  'writes',
  'verify',
  'faults',
  'scenarios',
  'menu',
  'thresholds',
  'drainMs',
  'full',
  'fleet',
];

export function readExperiment(value: unknown, defaultName: string): Experiment {
  const root = object(value, []);
  allowOnly(root, [], ROOT);
  const target = string(root.target, ['target']);
  const reference = target === 'reference';
  if (!reference && (!URL.canParse(target) || new URL(target).protocol !== 'http:'))
    throw new SchemaError(
      ['target'],
      `must be an http:// URL (Toxiproxy forwards TCP, so no TLS), got "${target}"`,
    );
  const context: FaultContext = { reference };
  const name = root.name === undefined ? defaultName : string(root.name, ['name']);
  const { count: clients, kinds } = clientPlan(root.clients);
  const verify = verification(root.verify, ['verify']);
  if (reference && verify.kind !== 'ledger')
    throw new SchemaError(
      ['verify'],
      'the reference app is verified by its ledger: "verify: { ledger: true }"',
    );
  const faults = array(root.faults ?? [], ['faults']).map((f, i) => timedFault(f, ['faults', i], context));
  checkFaults(faults, ['faults']);
  const menu = array(root.menu ?? [], ['menu']).map((f, i) => menuFault(f, ['menu', i], context));
  let scenarios: Scenario[];
  if (root.scenarios === undefined) scenarios = [{ name, faults }];
  else {
    if (root.faults !== undefined)
      throw new SchemaError(['faults'], 'with "scenarios", each scenario lists its own faults');
    scenarios = array(root.scenarios, ['scenarios']).map((s, i) =>
      scenario(s, ['scenarios', i], context, menu.length),
    );
    if (scenarios.length === 0) throw new SchemaError(['scenarios'], 'needs at least one scenario');
    const seen = new Set<string>();
    for (const [i, s] of scenarios.entries()) {
      if (seen.has(s.name))
        throw new SchemaError(
          ['scenarios', i, 'name'],
          `"${s.name}" is already the name of another scenario`,
        );
      seen.add(s.name);
    }
  }
  if (root.fleet !== undefined && !reference)
    throw new SchemaError(['fleet'], 'a fleet runs reference apps: it needs "target: reference"');
  const fleet = root.fleet === undefined ? undefined : integer(root.fleet, ['fleet'], 2);
  return {
    ...(fleet === undefined ? {} : { fleet }),
    name,
    target: reference ? target : target.replace(/\/$/, ''),
    clients,
    kinds,
    writes: writePlan(root.writes, ['writes'], kinds.length > 1),
    verify,
    faults,
    scenarios,
    menu,
    thresholds: thresholds(root.thresholds ?? {}, ['thresholds']),
    drainMs: root.drainMs === undefined ? 30_000 : integer(root.drainMs, ['drainMs'], 1),
    full: fullSize(root.full ?? {}, ['full']),
    unsupported:
      root.unsupported === undefined
        ? 'stop'
        : oneOf(
            root.unsupported,
            ['unsupported'],
            ['stop', 'skip'],
            ' (what to do with a scenario the stack cannot play)',
          ),
  };
}

function clientPlan(value: unknown): { count: number; kinds: ClientKind[] } {
  if (value === undefined) return { count: 1, kinds: ['landed'] };
  if (typeof value === 'number') return { count: integer(value, ['clients'], 1), kinds: ['landed'] };
  const o = object(value, ['clients']);
  allowOnly(o, ['clients'], ['count', 'kinds']);
  const kinds = array(o.kinds ?? ['landed'], ['clients', 'kinds']).map((k, i) =>
    oneOf(
      k,
      ['clients', 'kinds', i],
      KINDS(),
      ' (a client kind: the SDK under test, the naive client or a peer)',
    ),
  );
  if (kinds.length === 0 || new Set(kinds).size !== kinds.length)
    throw new SchemaError(['clients', 'kinds'], 'must list client kinds (e.g. landed, naive), each once');
  return { count: o.count === undefined ? 1 : integer(o.count, ['clients', 'count'], 1), kinds };
}

function writePlan(value: unknown, at: Path, severalKinds: boolean): WritePlan {
  const o = object(value, at);
  allowOnly(o, at, ['count', 'method', 'path', 'body', 'sequence', 'writeId', 'fields', 'lane', 'spreadMs']);
  const method = methodOf(o.method, [...at, 'method'], 'POST');
  let sequence: WriteTemplate[];
  if (o.sequence !== undefined) {
    if (o.path !== undefined || o.body !== undefined)
      throw new SchemaError([...at, 'sequence'], 'give "path" and "body", or a "sequence" of them, not both');
    sequence = array(o.sequence, [...at, 'sequence']).flatMap((item, i) => {
      const where = [...at, 'sequence', i];
      const s = object(item, where);
      allowOnly(s, where, ['method', 'path', 'body', 'repeat']);
      const write: WriteTemplate = {
        method: methodOf(s.method, [...where, 'method'], method),
        path: routePath(s.path, [...where, 'path']),
        ...(s.body === undefined ? {} : { body: s.body }),
      };
      return Array.from(
        { length: s.repeat === undefined ? 1 : integer(s.repeat, [...where, 'repeat'], 1) },
        () => write,
      );
    });
    if (sequence.length === 0) throw new SchemaError([...at, 'sequence'], 'needs at least one write');
  } else {
    const path = routePath(o.path, [...at, 'path']);
    sequence = [{ method, path, ...(o.body === undefined ? {} : { body: o.body }) }];
  }
  const fields: Record<string, string> = {};
  for (const [name, v] of Object.entries(object(o.fields ?? {}, [...at, 'fields']))) {
    if (!/^\w+$/.test(name) || BUILT_IN_FIELDS.includes(name))
      throw new SchemaError(
        [...at, 'fields', name],
        `must be a word other than ${BUILT_IN_FIELDS.join(', ')} (those are given)`,
      );
    fields[name] = string(v, [...at, 'fields', name]);
  }
  const writeId =
    o.writeId === undefined
      ? severalKinds
        ? '{{run}}-{{kind}}-{{client}}-{{n}}'
        : '{{run}}-{{client}}-{{n}}'
      : string(o.writeId, [...at, 'writeId']);
  const needed = severalKinds ? ['n', 'client', 'kind'] : ['n', 'client'];
  const used = new Set([...writeId.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]));
  if (!needed.every((f) => used.has(f)))
    throw new SchemaError(
      [...at, 'writeId'],
      `must contain ${needed.map((f) => `{{${f}}}`).join(', ')}, so that every write has an id of its own`,
    );
  return {
    count: integer(o.count, [...at, 'count'], 1),
    method,
    ...(o.path === undefined ? {} : { path: sequence[0]?.path }),
    ...(o.body === undefined ? {} : { body: o.body }),
    sequence,
    writeId,
    fields,
    lane: o.lane === undefined ? '{{writeId}}' : string(o.lane, [...at, 'lane']),
    spreadMs: spread(o.spreadMs, [...at, 'spreadMs']),
  };
}

function methodOf(value: unknown, at: Path, fallback: WriteMethod): WriteMethod {
  const method = value === undefined ? fallback : string(value, at).toUpperCase();
  if (!(METHODS as string[]).includes(method))
    throw new SchemaError(at, `must be one of ${METHODS.join(', ')}, got "${method}"`);
  return method as WriteMethod;
}

function spread(value: unknown, at: Path): WritePlan['spreadMs'] {
  if (value === undefined) return 3_000;
  if (typeof value === 'number') return integer(value, at, 0);
  const o = object(value, at);
  allowOnly(o, at, ['perWrite', 'min']);
  const perWrite = number(o.perWrite, [...at, 'perWrite']);
  if (perWrite <= 0)
    throw new SchemaError([...at, 'perWrite'], `must be above 0 (ms per write and client), got ${perWrite}`);
  return { perWrite, min: o.min === undefined ? 0 : integer(o.min, [...at, 'min'], 0) };
}

function scenario(value: unknown, at: Path, context: FaultContext, menu: number): Scenario {
  const o = object(value, at);
  allowOnly(o, at, ['name', 'proves', 'faults', 'draw', 'search', 'clients', 'writes']);
  const name = string(o.name, [...at, 'name']);
  if (!/^[\w.-]+$/.test(name) || name === 'all')
    throw new SchemaError(
      [...at, 'name'],
      `must be letters, digits, ".", "-" or "_" (and not "all"), got "${name}"`,
    );
  const given = ['faults', 'draw', 'search'].filter((k) => o[k] !== undefined);
  if (given.length > 1)
    throw new SchemaError([...at, given[1] as string], 'give one of "faults", "draw" and "search"');
  const faults = array(o.faults ?? [], [...at, 'faults']).map((f, i) =>
    timedFault(f, [...at, 'faults', i], context),
  );
  checkFaults(faults, [...at, 'faults']);
  const range = (key: 'draw' | 'search', extra: string[]) => {
    const where = [...at, key];
    const r = object(o[key], where);
    allowOnly(r, where, ['min', 'max', ...extra]);
    if (menu === 0)
      throw new SchemaError(where, 'needs a "menu" of faults (at the top of the file) to pick from');
    const min = integer(r.min ?? 1, [...where, 'min'], 1);
    const max = integer(r.max ?? min, [...where, 'max'], min);
    return { r, min, max };
  };
  let draw: Scenario['draw'];
  let search: Scenario['search'];
  if (o.draw !== undefined) {
    const { min, max } = range('draw', []);
    draw = { min, max };
  }
  if (o.search !== undefined) {
    const { r, min, max } = range('search', ['runs']);
    search = { min, max, runs: integer(r.runs ?? 2, [...at, 'search', 'runs'], 1) };
  }
  return {
    name,
    proves: o.proves === undefined ? undefined : string(o.proves, [...at, 'proves']),
    faults,
    draw,
    search,
    clients: optionalInteger(o.clients, [...at, 'clients'], 1),
    writes: optionalInteger(o.writes, [...at, 'writes'], 1),
  };
}

function fullSize(value: unknown, at: Path): Experiment['full'] {
  const o = object(value, at);
  allowOnly(o, at, ['clients', 'writes', 'runs', 'drainMs']);
  const size: Experiment['full'] = {};
  for (const key of ['clients', 'writes', 'runs', 'drainMs'] as const) {
    const n = optionalInteger(o[key], [...at, key], 1);
    if (n !== undefined) size[key] = n;
  }
  return size;
}

function thresholds(value: unknown, at: Path): Thresholds {
  const o = object(value, at);
  const counts = [
    'maxLost',
    'maxDuplicated',
    'maxUnresolved',
    'maxWrongPayload',
    'maxUnexpected',
    'maxInconsistentReplay',
  ] as const;
  allowOnly(o, at, [...counts, 'p99Ms', 'maxAttemptsPerWrite']);
  const count = (name: string) => (o[name] === undefined ? 0 : integer(o[name], [...at, name], 0));
  const optional = (name: string) => (o[name] === undefined ? undefined : number(o[name], [...at, name]));
  return {
    maxLost: count('maxLost'),
    maxDuplicated: count('maxDuplicated'),
    maxUnresolved: count('maxUnresolved'),
    maxWrongPayload: count('maxWrongPayload'),
    maxUnexpected: count('maxUnexpected'),
    maxInconsistentReplay: count('maxInconsistentReplay'),
    p99Ms: optional('p99Ms'),
    maxAttemptsPerWrite: optional('maxAttemptsPerWrite'),
  };
}
