/**
 * What a scenario needs from the stack — PostgreSQL behind a proxy for a database fault, the
 * server's fault hooks for a server fault — and what happens when it is not there: the experiment's
 * `unsupported` says whether the scenario is skipped with a note or the run stops.
 */
import type { Experiment, Scenario } from '../experiment/Experiment.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { RunEnvironment } from './run-scenario.ts';

/** Why the scenario is skipped, or undefined when it can run; throws when the experiment says stop. */
export function unsupported(
  experiment: Experiment,
  scenario: Scenario,
  env: Pick<RunEnvironment, 'postgresUrl' | 'target'>,
  serverFaults: boolean,
): string | undefined {
  // Only the fixed faults: a drawn schedule leaves out what the stack cannot do (see menuFor).
  const faults = scenario.faults.map((f) => f.fault);
  const database = faults.some((f) => (f.kind === 'toxic' || f.kind === 'down') && f.target === 'db');
  const server = faults.find((f) => f.kind === 'server');
  const browser = faults.some((f) => f.kind === 'browser');
  let skip: string | undefined;
  let stop: string | undefined;
  if (database && !env.postgresUrl) {
    skip = 'needs PostgreSQL: set DATABASE_URL to run it';
    stop = `Scenario ${scenario.name} has a database fault (proxy: db), which needs the reference app on PostgreSQL: set DATABASE_URL.`;
  } else if (database && env.target) {
    skip = 'the database of a --target server is not behind the harness';
    stop = `Scenario ${scenario.name} has a database fault (proxy: db), but the database of ${env.target} is not behind the harness.`;
  } else if (browser && !experiment.kinds.includes('landed-browser')) {
    skip = 'needs a browser client: --client-kinds landed-browser';
    stop = `Scenario ${scenario.name} has browser faults, which are played on browser clients: add landed-browser to the client kinds (--client-kinds landed-browser).`;
  } else if (server && !serverFaults) {
    skip = 'the target server has no fault hooks (/_chaos/fault)';
    const kind = server.setting.kind.startsWith('500')
      ? 'http500'
      : server.setting.kind === 'exit-after-commit'
        ? 'crash'
        : 'slow';
    stop = `The experiment has ${kind === 'http500' ? 'an' : 'a'} ${kind} fault, but ${new URL(env.target ?? 'http://localhost').origin}/_chaos/health does not answer 200: the target offers no fault hook (docs/harness.md). Remove the fault or add the hook.`;
  }
  if (skip && experiment.unsupported === 'stop') throw new HarnessError('BAD_EXPERIMENT', stop ?? skip);
  return skip;
}

/** The menu a drawn schedule picks from: without PostgreSQL behind the harness, no database faults. */
export function menuFor(experiment: Experiment, env: Pick<RunEnvironment, 'postgresUrl' | 'target'>) {
  const database = Boolean(env.postgresUrl) && !env.target;
  return experiment.menu.filter(
    (f) => database || !((f.kind === 'toxic' || f.kind === 'down') && f.target === 'db'),
  );
}
