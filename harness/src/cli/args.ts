/** `landed-chaos run` options, parsed and checked, with errors that say what is allowed. */
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName } from '../scenarios/catalog.ts';
import { HarnessError } from '../toxiproxy/errors.ts';

export interface RunArgs {
  names: ScenarioName[];
  clients: number;
  writes: number;
  seed: number;
  randomRuns: number;
  randomPath?: string | undefined;
  json?: string | undefined;
  html?: string | undefined;
  target?: string | undefined;
  full: boolean;
}

export const USAGE = `landed-chaos run [--scenario NAME|all] [--clients N] [--writes N] [--seed S] [--json FILE] [--html FILE] [--target URL] [--full]
  --scenario   one of: ${SCENARIO_NAMES.join(', ')}; or all (default); repeat or comma-separate for several
  --clients    clients of each kind (Landed and naive) per scenario (default 2; --full 4)
  --writes     writes per client (default 20; --full 2500, i.e. 10,000 per scenario and kind)
  --seed       seed of the mixed schedule and of the random search (default: time-based, printed)
  --runs       schedules the random scenario tries (default 2; --full 100)
  --path       fast-check replay path of a random counterexample (printed with its rerun command)
  --json FILE  write the machine-readable report
  --html FILE  write the self-contained HTML report with timelines
  --target URL run against your own server at an http:// URL (museum routes + GET /_chaos/ledger; see docs/harness.md)
  --full       release size
Environment: TOXIPROXY_URL (use a running Toxiproxy), DATABASE_URL (PostgreSQL instead of SQLite),
  SENTRY_DSN (report each Landed write that needs a person and each violation to Sentry).`;

export function parseRunArgs(argv: string[]): RunArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scenario: { type: 'string', multiple: true },
      clients: { type: 'string' },
      writes: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      path: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      target: { type: 'string' },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (positionals[0] !== undefined && positionals[0] !== 'run'))
    throw new HarnessError('BAD_ARGUMENT', USAGE);
  const requested = (values.scenario ?? ['all']).flatMap((s) => s.split(',')).map((s) => s.trim());
  const names = requested.includes('all') ? [...SCENARIO_NAMES] : requested;
  for (const name of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new HarnessError(
        'UNKNOWN_SCENARIO',
        `Unknown scenario "${name}". Choose one of: ${SCENARIO_NAMES.join(', ')}, or all.`,
      );
    }
  }
  const full = values.full ?? false;
  return {
    names: names as ScenarioName[],
    clients: positive('clients', values.clients, full ? 4 : 2),
    writes: positive('writes', values.writes, full ? 2_500 : 20),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : integer('seed', values.seed),
    randomRuns: positive('runs', values.runs, full ? 100 : 2),
    randomPath: values.path,
    json: values.json,
    html: values.html,
    target: values.target === undefined ? undefined : targetUrl(values.target),
    full,
  };
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

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = integer(name, text);
  if (n < 1) throw new HarnessError('BAD_ARGUMENT', `--${name} must be at least 1, got ${n}.`);
  return n;
}
