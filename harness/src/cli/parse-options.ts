/**
 * `node:util` parseArgs with errors a person can act on: every bad argument becomes one line with
 * the `BAD_ARGUMENT` code (exit 2), never a stack trace with `ERR_PARSE_ARGS_*` (issue 12).
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { HarnessError } from '../toxiproxy/errors.ts';

export function parseOptions<T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: T,
  command: string,
) {
  // `--writes -3` is a value, not an option: joined as `--writes=-3` it reaches the range check,
  // which says what is allowed.
  const args = argv.flatMap((arg, i) => {
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next))
      return [`${arg}=${next}`];
    const previous = argv[i - 1];
    if (/^-\d/.test(arg) && previous?.startsWith('--') && options[previous.slice(2)]?.type === 'string')
      return [];
    return [arg];
  });
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new HarnessError(
      'BAD_ARGUMENT',
      `${explain(error as Error & { code?: string })} (see ${command} --help)`,
    );
  }
}

function explain(error: Error & { code?: string }): string {
  const option = /'(-{1,2}[\w-]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return error.message.includes('does not take an argument')
        ? `${option} takes no value`
        : `${option} needs a value`;
    default:
      return error.message.split('. ')[0] ?? error.message;
  }
}
