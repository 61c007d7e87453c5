/**
 * The command that runs the same matrix again — same seed (so `mixed` and `random` draw the same
 * faults), size and scenarios — printed in every report so whoever reads a failure can reproduce it.
 */
import type { RunArgs } from '../cli/args.ts';
import { SCENARIO_NAMES } from '../scenarios/catalog.ts';

export function rerunCommand(
  args: Pick<RunArgs, 'names' | 'seed' | 'clients' | 'writes' | 'randomRuns' | 'target' | 'full'>,
): string {
  const parts = ['npm run chaos --'];
  if (args.names.length !== SCENARIO_NAMES.length) parts.push(`--scenario ${args.names.join(',')}`);
  parts.push(`--seed ${args.seed}`, `--clients ${args.clients}`, `--writes ${args.writes}`);
  if (args.names.includes('random')) parts.push(`--runs ${args.randomRuns}`);
  if (args.target) parts.push(`--target ${args.target}`);
  if (args.full) parts.push('--full');
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
