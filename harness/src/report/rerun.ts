/**
 * The command that runs the same experiment again — same file, seed (so drawn and searched schedules
 * are the same), size and scenarios — printed in every report so whoever reads a failure can
 * reproduce it.
 */
import type { RunArgs } from '../cli/args.ts';
import type { Experiment } from '../experiment/Experiment.ts';
import { loadMuseum } from '../experiment/load.ts';

export interface RerunArgs
  extends Pick<RunArgs, 'seed' | 'target' | 'full' | 'experiment' | 'fleet' | 'clientKinds'> {
  /** The scenarios run; all of them print no `--scenario`. */
  names: readonly string[];
  clients: number;
  writes: number;
  randomRuns: number;
}

/** `experiment`: the one run (the museum matrix by default), which says what "every scenario" is. */
export function rerunCommand(args: RerunArgs, experiment: Experiment = loadMuseum()): string {
  const parts = ['npm run chaos --'];
  if (args.experiment) parts.push(`--experiment ${args.experiment}`);
  if (!experiment.scenarios.every((s) => args.names.includes(s.name)))
    parts.push(`--scenario ${args.names.join(',')}`);
  parts.push(`--seed ${args.seed}`, `--clients ${args.clients}`, `--writes ${args.writes}`);
  // Only a search scenario tries --runs schedules.
  if (experiment.scenarios.some((s) => s.search && args.names.includes(s.name)))
    parts.push(`--runs ${args.randomRuns}`);
  if (args.target) parts.push(`--target ${args.target}`);
  if (args.full) parts.push('--full');
  if (args.fleet) parts.push(`--fleet ${args.fleet}`);
  if (args.clientKinds) parts.push(`--client-kinds ${args.clientKinds.join(',')}`);
  return parts.join(' ');
}

/** The context every report carries beside the results. */
export interface RunMeta {
  toxiproxy: { version: string; url: string };
  seed: number;
  database: 'sqlite' | 'postgres' | 'target';
  /** The arguments as given on the command line. */
  argv: readonly string[];
  rerun: string;
}
