/** `landed-chaos conform` options, parsed and checked, with errors that say what is allowed. */
import { DEFAULT_BODY, DEFAULT_PATH } from '../conform/conform.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { parseOptions } from './parse-options.ts';

export interface ConformArgs {
  help: boolean;
  target: string;
  path: string;
  body: string;
  lookupPath: string | null;
  principals?: [string, string] | undefined;
  json?: string | undefined;
}

export const CONFORM_USAGE = `landed-chaos conform --target URL [--path P] [--body JSON] [--lookup-path P|none]
                     [--auth A --auth B] [--json FILE]
  --target URL       your server (http://host:port); probed directly, no Toxiproxy
  --path P           a write route that applies the body below (default ${DEFAULT_PATH})
  --body JSON        the body of each probe write; {{writeId}} is replaced by a fresh id per write
                     (default ${DEFAULT_BODY})
  --lookup-path P    the lookup route's prefix, GET P/{key} (default /idempotency); none: no lookup
  --auth VALUE       the Authorization header of a principal; give it twice, for two different ones
                     (default: Bearer tokens made up per run)
  --json FILE        write the checklist as JSON
Exit code: 0 when no check fails, 1 when one does, 2 when nothing could be checked.`;

export function parseConformArgs(argv: string[]): ConformArgs {
  const { values, positionals } = parseOptions(
    argv,
    {
      target: { type: 'string' },
      path: { type: 'string' },
      body: { type: 'string' },
      'lookup-path': { type: 'string' },
      auth: { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'landed-chaos conform',
  );
  if (positionals.length)
    throw new HarnessError(
      'BAD_ARGUMENT',
      `unexpected argument "${positionals[0]}" (see landed-chaos conform --help)`,
    );
  const help = values.help ?? false;
  if (help) return { help, target: '', path: DEFAULT_PATH, body: DEFAULT_BODY, lookupPath: null };
  if (values.target === undefined)
    throw new HarnessError('BAD_ARGUMENT', 'conform needs --target URL: the server to probe.');
  const target = values.target;
  if (!URL.canParse(target) || !['http:', 'https:'].includes(new URL(target).protocol))
    throw new HarnessError('BAD_ARGUMENT', `--target must be an http:// or https:// URL, got "${target}".`);
  const path = values.path ?? DEFAULT_PATH;
  if (!path.startsWith('/'))
    throw new HarnessError('BAD_ARGUMENT', `--path must start with "/", got "${path}".`);
  const body = values.body ?? DEFAULT_BODY;
  try {
    const parsed: unknown = JSON.parse(body.replaceAll('{{writeId}}', 'w'));
    if (
      !body.includes('{{writeId}}') &&
      (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    )
      throw new Error('without {{writeId}} it must be a JSON object, to carry the id as a field');
  } catch (error) {
    throw new HarnessError('BAD_ARGUMENT', `--body must be JSON (${(error as Error).message}), got ${body}.`);
  }
  const lookup = values['lookup-path'] ?? '/idempotency';
  if (lookup !== 'none' && !lookup.startsWith('/'))
    throw new HarnessError('BAD_ARGUMENT', `--lookup-path must start with "/" or be none, got "${lookup}".`);
  const auth = values.auth ?? [];
  if (auth.length !== 0 && (auth.length !== 2 || auth[0] === auth[1]))
    throw new HarnessError(
      'BAD_ARGUMENT',
      '--auth takes two different principals: give it twice, or not at all.',
    );
  return {
    help,
    target,
    path,
    body,
    lookupPath: lookup === 'none' ? null : lookup.replace(/\/$/, ''),
    principals: auth.length === 2 ? [auth[0] as string, auth[1] as string] : undefined,
    json: values.json,
  };
}
