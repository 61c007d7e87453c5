/**
 * Faults in an experiment file: any Toxiproxy toxic, a proxy down (between clients and the target,
 * or between the reference app and PostgreSQL), the server's fault hooks (HTTP 500 before or after
 * the commit, a crash after the commit, a slow answer), and SIGKILLs of client processes — with when
 * each acts, and the rule that two faults acting at once must say they mean it.
 */
import type { FaultKind } from '@landed/server';
import { BROWSER_ACTIONS, type Fault, type ProxyTarget } from '../scenarios/faults.ts';
import type { ToxicKind } from '../toxiproxy/ProxyControl.ts';
import type { TimedFault } from './Experiment.ts';
import {
  allowOnly,
  array,
  boolean,
  integer,
  number,
  object,
  oneOf,
  type Path,
  SchemaError,
  string,
} from './schema-values.ts';

/** Every toxic Toxiproxy 2.x offers; attributes are passed through as given. */
const TOXICS = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'];
const HTTP500: Record<string, FaultKind> = {
  'before-commit': '500-before-commit',
  'after-commit': '500-after-commit',
};
const TIMING = ['start', 'duration', 'during', 'overlap'];
const KINDS_HELP =
  'a fault needs one of "toxic: <type>", "down: true", "http500: before-commit|after-commit", "crash: after-commit", "slow: <ms>", "kill: clients" or "browser: <action>"';

/** What `reference` means for `proxy: db`: only the harness's own app has its database behind a proxy. */
export interface FaultContext {
  reference: boolean;
}

/** A fault without timing (a `menu` entry), or the fault part of a timed one. */
export function fault(o: Record<string, unknown>, at: Path, context: FaultContext, extra: string[]): Fault {
  const proxyOf = (): ProxyTarget => {
    const proxy = o.proxy === undefined ? 'app' : oneOf(o.proxy, [...at, 'proxy'], ['app', 'db']);
    if (proxy === 'db' && !context.reference)
      throw new SchemaError(
        [...at, 'proxy'],
        'db needs "target: reference": only the reference app has its database behind a proxy of the harness',
      );
    return proxy;
  };
  if (o.toxic !== undefined) {
    allowOnly(o, at, [...extra, 'toxic', 'proxy', 'stream', 'attributes', 'toxicity']);
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
    const toxicity = o.toxicity === undefined ? undefined : number(o.toxicity, [...at, 'toxicity']);
    if (toxicity !== undefined && (toxicity < 0 || toxicity > 1))
      throw new SchemaError(
        [...at, 'toxicity'],
        `must be between 0 and 1 (the share of connections), got ${toxicity}`,
      );
    // Any Toxiproxy toxic: the control passes its type through as given (toxicity 1 when absent).
    return {
      kind: 'toxic',
      target: proxyOf(),
      toxic: { kind: kind as ToxicKind, stream, attributes, ...(toxicity === undefined ? {} : { toxicity }) },
    };
  }
  if (o.down !== undefined) {
    allowOnly(o, at, [...extra, 'down', 'proxy']);
    if (o.down !== true)
      throw new SchemaError([...at, 'down'], 'must be true (the proxy refuses connections)');
    return { kind: 'down', target: proxyOf() };
  }
  const server = (kind: FaultKind, key: string): Fault => {
    allowOnly(o, at, [...extra, key, 'rate']);
    const rate = o.rate === undefined ? 1 : number(o.rate, [...at, 'rate']);
    if (rate <= 0 || rate > 1)
      throw new SchemaError([...at, 'rate'], `must be above 0 and at most 1, got ${rate}`);
    return { kind: 'server', setting: { kind, rate } };
  };
  if (o.http500 !== undefined) {
    const when = string(o.http500, [...at, 'http500']);
    const kind = HTTP500[when];
    if (!kind)
      throw new SchemaError([...at, 'http500'], `must be before-commit or after-commit, got "${when}"`);
    return server(kind, 'http500');
  }
  if (o.crash !== undefined) {
    oneOf(o.crash, [...at, 'crash'], ['after-commit'], ' (the app exits between commit and answer)');
    return server('exit-after-commit', 'crash');
  }
  if (o.slow !== undefined) return server(`slow:${integer(o.slow, [...at, 'slow'], 1)}`, 'slow');
  if (o.kill !== undefined) {
    allowOnly(o, at, [...extra, 'kill']);
    oneOf(o.kill, [...at, 'kill'], ['clients'], ' (every client process, SIGKILL, then restarted)');
    return { kind: 'kill-clients' };
  }
  if (o.browser !== undefined) {
    allowOnly(o, at, [...extra, 'browser', 'tabs']);
    const action = oneOf(o.browser, [...at, 'browser'], BROWSER_ACTIONS, ' (played on the browser clients)');
    const tabs = o.tabs === undefined ? undefined : integer(o.tabs, [...at, 'tabs'], 1);
    if (action === 'tabs' && tabs === undefined)
      throw new SchemaError([...at, 'tabs'], 'browser: tabs needs "tabs: <how many tabs of the origin>"');
    return { kind: 'browser', action, ...(tabs === undefined ? {} : { tabs }) };
  }
  throw new SchemaError(at, KINDS_HELP);
}

export function menuFault(value: unknown, at: Path, context: FaultContext): Fault {
  const f = fault(object(value, at), at, context, []);
  if (f.kind === 'kill-clients' || f.kind === 'browser')
    throw new SchemaError(
      [...at, f.kind === 'browser' ? 'browser' : 'kill'],
      'cannot be drawn: put it in a scenario\'s "faults" instead',
    );
  return f;
}

export function timedFault(value: unknown, at: Path, context: FaultContext): TimedFault {
  const o = object(value, at);
  const overlap = o.overlap === undefined ? false : boolean(o.overlap, [...at, 'overlap']);
  const f = fault(o, at, context, TIMING);
  if (o.during !== undefined) {
    if (o.start !== undefined || o.duration !== undefined)
      throw new SchemaError([...at, 'during'], 'give "during" or "start" and "duration", not both');
    const during = array(o.during, [...at, 'during']).map((w, i) => share(w, [...at, 'during', i]));
    if (during.length === 0) throw new SchemaError([...at, 'during'], 'needs at least one window');
    return { during, fault: f, overlap };
  }
  const start = integer(o.start ?? 0, [...at, 'start'], 0);
  const duration = integer(o.duration, [...at, 'duration'], 1);
  return { start, duration, fault: f, overlap };
}

/** `"10%-80%"`: a window as shares of the writes' window. */
function share(value: unknown, at: Path): [number, number] {
  const text = typeof value === 'string' ? value : '';
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*[-–]\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || !(from < to) || to > 100)
    throw new SchemaError(
      at,
      `must be a window like "10%-80%" (a share of the writes' window, from below to), got ${JSON.stringify(value)}`,
    );
  return [from / 100, to / 100];
}

/** Two faults at once compound (a timeout under a latency toxic is another experiment): say so. */
export function checkFaults(faults: readonly TimedFault[], at: Path): void {
  const windows = (f: TimedFault): [number, number][] =>
    'during' in f ? f.during : [[f.start, f.start + f.duration]];
  for (const [i, a] of faults.entries()) {
    const key = 'during' in a ? 'during' : 'start';
    const first = faults[0];
    if (first && 'during' in first !== 'during' in a)
      throw new SchemaError(
        [...at, i, key],
        'time every fault of a scenario the same way: all with "during" (shares of the window) or all with "start" and "duration" (ms)',
      );
    for (const [j, b] of faults.entries()) {
      if (j >= i || a.overlap || b.overlap) continue;
      const clash = windows(a).some(([s, e]) => windows(b).some(([s2, e2]) => s < e2 && s2 < e));
      if (clash)
        throw new SchemaError(
          [...at, i, key],
          `overlaps faults[${j}]; move it, or set "overlap: true" on either if both are meant to act at once`,
        );
    }
  }
}
