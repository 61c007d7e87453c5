/**
 * `landed-chaos`: dispatches to `run` (the chaos matrix) or `conform` (the protocol checklist), and
 * turns every error a person can meet into one line with its code and exit 2.
 */
import { isHarnessError } from '../toxiproxy/errors.ts';
import { USAGE } from './args.ts';
import { conformCommand } from './conform.ts';
import { CONFORM_USAGE } from './conform-args.ts';
import { runCommand } from './run.ts';

const HELP = `landed-chaos: proves that writes land exactly once under real faults (docs/harness.md)

${USAGE}

${CONFORM_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command === 'conform') return conformCommand(rest);
  if (command === 'run') return runCommand(rest);
  // `landed-chaos --scenario x` (no command) means run, as `npm run chaos -- …` always did.
  if (command.startsWith('-')) return runCommand(argv);
  process.stderr.write(
    `landed-chaos: BAD_ARGUMENT: unknown command "${command}": use run or conform (see landed-chaos --help)\n`,
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isHarnessError(error)) {
      process.stderr.write(`landed-chaos: ${error.code}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `landed-chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
