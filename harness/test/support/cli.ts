/** Runs `landed-chaos` as a person does (a child process on this Node) and collects its exit code and output. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'harness/src/cli/main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they interleaved. */
  output: string;
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const { SENTRY_DSN: _dsn, DATABASE_URL: _db, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=landed-source', '--no-warnings', CLI, ...args], {
    cwd,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: CliResult = { code: null, stdout: '', stderr: '', output: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    result.stdout += c;
    result.output += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    result.stderr += c;
    result.output += c;
  });
  return new Promise((done) =>
    child.once('close', (code) => {
      result.code = code;
      done(result);
    }),
  );
}
