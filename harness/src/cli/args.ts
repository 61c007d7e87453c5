/**
 * `landed-chaos run` options, parsed and checked, with errors that say what is allowed. The sizes
 * not given stay undefined: the experiment file (the museum matrix by default) has them.
 */
import { clientKinds, parseClientKinds } from '../clients/kinds.ts';
import type { Experiment } from '../experiment/Experiment.ts';
import { loadMuseum } from '../experiment/load.ts';
import { wrap } from '../report/checklist.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { parseOptions } from './parse-options.ts';

export interface RunArgs {
  /** `--help`: print USAGE and exit 0; nothing else is read. */
  help: boolean;
  /** `--scenario`: the scenarios to run; absent, all of the experiment's. */
  names?: string[] | undefined;
  clients?: number | undefined;
  writes?: number | undefined;
  seed: number;
  /** `--runs`: schedules a `search` scenario tries. */
  randomRuns?: number | undefined;
  randomPath?: string | undefined;
  json?: string | undefined;
  /** Where the HTML report goes: `reports/chaos-<seed>.html` unless `--html FILE` or `--html none`. */
  html: string | null;
  junit?: string | undefined;
  markdown?: string | undefined;
  target?: string | undefined;
  full: boolean;
  /** `--experiment FILE`: run that experiment file instead of the museum matrix. */
  experiment?: string | undefined;
  /** `--client-kinds`: the kinds to run instead of the experiment's (`all`: every registered kind). */
  clientKinds?: string[] | undefined;
  /** `--fleet N`: N reference app processes on one PostgreSQL behind HAProxy, and the fleet scenarios. */
  fleet?: number | undefined;
}

/** The museum matrix's scenario names, for the synopsis (read from harness/experiments/museum.yaml). */
export function museumNames(): string[] {
  return loadMuseum().scenarios.map((s) => s.name);
}

export const USAGE = `landed-chaos run [--scenario NAME|all] [--clients N] [--writes N] [--seed S] [--runs N] [--path P]
                 [--json FILE] [--html FILE|none] [--junit FILE] [--markdown FILE]
                 [--target URL] [--full] [--client-kinds all|KIND,...] [--fleet N]
landed-chaos run --experiment FILE [the options above]
  --experiment FILE
                   an experiment file (YAML or JSON): your target, writes, verification, scenarios
                   of faults and pass/fail thresholds (docs/harness.md). Default: the museum matrix,
                   harness/experiments/museum.yaml; the defaults below are the museum's
  --scenario NAME  a scenario, or all (default); repeat it or comma-separate for several:
${wrap(museumNames().join(', '), '                   ').join('\n')}
  --clients N      clients of each kind (Landed and naive) per scenario (default 2; --full 4)
  --writes N       writes per client (default 20; --full 2500, i.e. 10,000 per scenario and kind)
  --seed S         seed of the mixed schedule and the random search (default: the clock; printed)
  --runs N         schedules the random scenario tries (default 2; --full 100)
  --path P         fast-check replay path of a random counterexample (printed with its rerun line)
  --json FILE      write the machine-readable report
  --html FILE      the self-contained HTML report with timelines (default reports/chaos-<seed>.html;
                   none: no HTML)
  --junit FILE     a JUnit XML report: one test case per scenario and client kind
  --markdown FILE  a Markdown summary a CI job can post on a pull request
  --target URL     your own server (http://) instead of the experiment's target (the museum's: the
                   reference app; yours then offers the museum routes and GET /_chaos/ledger,
                   docs/harness.md); probed for the protocol first
  --full           release size (the experiment's full sizes)
  --client-kinds K all, or a comma-separated list of client kinds, instead of the experiment's
                   (the museum's: landed,naive); the table then has one column per kind
                   (docs/comparison.md):
${wrap(
  clientKinds()
    .map((k) => k.name)
    .join(', '),
  '                   ',
).join('\n')}
  --fleet N        N (at least 2) reference apps on one PostgreSQL behind HAProxy, each reaching the
                   database through its own proxy; adds the scenarios instance-kill, split-retry
                   and db-failover-ish (PostgreSQL: DATABASE_URL or LANDED_TEST_PG_URL)
Environment: TOXIPROXY_URL (use a running Toxiproxy), DATABASE_URL (PostgreSQL instead of SQLite),
  SENTRY_DSN (report each Landed write that needs a person and each violation to Sentry).
Exit code: 0 when every Landed scenario passed, 1 on a Landed violation, 2 on a usage/setup error.`;

export function parseRunArgs(argv: string[]): RunArgs {
  const { values, positionals } = parseOptions(
    argv,
    {
      scenario: { type: 'string', multiple: true },
      clients: { type: 'string' },
      writes: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      path: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      junit: { type: 'string' },
      markdown: { type: 'string' },
      target: { type: 'string' },
      full: { type: 'boolean', default: false },
      experiment: { type: 'string' },
      'client-kinds': { type: 'string' },
      fleet: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'landed-chaos run',
  );
  // `run` itself may come first (the npm script and the bench pass it); nothing else may.
  const extra = positionals[0] === 'run' ? positionals.slice(1) : positionals;
  if (extra.length)
    throw new HarnessError('BAD_ARGUMENT', `unexpected argument "${extra[0]}" (see landed-chaos run --help)`);
  const full = values.full ?? false;
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : integer('seed', values.seed);
  if (values.help) return { help: true, seed, html: null, full };
  const requested = (values.scenario ?? ['all']).flatMap((s) => s.split(',')).map((s) => s.trim());
  return {
    help: false,
    names: requested.includes('all') ? undefined : requested,
    clients: positive('clients', values.clients),
    writes: positive('writes', values.writes),
    seed,
    randomRuns: positive('runs', values.runs),
    randomPath: values.path,
    json: values.json,
    html: values.html === 'none' ? null : (values.html ?? `reports/chaos-${seed}.html`),
    junit: values.junit,
    markdown: values.markdown,
    target: values.target === undefined ? undefined : targetUrl(values.target),
    full,
    experiment: values.experiment,
    clientKinds: values['client-kinds'] === undefined ? undefined : parseClientKinds(values['client-kinds']),
    fleet: fleetSize(values.fleet, values.target),
  };
}

function fleetSize(text: string | undefined, target: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = integer('fleet', text);
  if (n < 2) throw new HarnessError('BAD_ARGUMENT', `--fleet must be at least 2 (instances), got ${n}.`);
  if (target !== undefined)
    throw new HarnessError('BAD_ARGUMENT', '--fleet runs reference apps: it cannot go with --target.');
  return n;
}

/** Refuses a `--scenario` the experiment does not have, naming the ones it has. */
export function checkNames(names: readonly string[] | undefined, experiment: Experiment): void {
  const known = experiment.scenarios.map((s) => s.name);
  for (const name of names ?? [])
    if (!known.includes(name))
      throw new HarnessError(
        'UNKNOWN_SCENARIO',
        `Unknown scenario "${name}". Choose one of: ${known.join(', ')}, or all.`,
      );
}

function targetUrl(text: string): string {
  if (!URL.canParse(text) || new URL(text).protocol !== 'http:')
    throw new HarnessError(
      'BAD_ARGUMENT',
      `--target must be an http:// URL of your server (Toxiproxy forwards TCP, so no TLS), got "${text}".`,
    );
  return text;
}

function integer(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new HarnessError('BAD_ARGUMENT', `--${name} must be an integer, got "${text}".`);
  return n;
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = integer(name, text);
  if (n < 1) throw new HarnessError('BAD_ARGUMENT', `--${name} must be at least 1, got ${n}.`);
  return n;
}
