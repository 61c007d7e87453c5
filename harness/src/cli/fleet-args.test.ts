import { describe, expect, it } from 'vitest';
import { rerunCommand } from '../report/rerun.ts';
import { isHarnessError } from '../toxiproxy/errors.ts';
import { parseRunArgs } from './args.ts';

const refusal = (argv: string[]) => {
  try {
    parseRunArgs(argv);
  } catch (error) {
    return isHarnessError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'accepted';
};

describe('--fleet N', () => {
  it('takes a fleet of two or more instances', () => {
    expect(parseRunArgs(['--fleet', '3']).fleet).toBe(3);
    expect(parseRunArgs([]).fleet).toBeUndefined();
  });

  it('refuses fewer than two instances, and a --target beside it', () => {
    expect(refusal(['--fleet', '1'])).toBe('BAD_ARGUMENT: --fleet must be at least 2 (instances), got 1.');
    expect(refusal(['--fleet', 'x'])).toBe('BAD_ARGUMENT: --fleet must be an integer, got "x".');
    expect(refusal(['--fleet', '2', '--target', 'http://127.0.0.1:8080'])).toBe(
      'BAD_ARGUMENT: --fleet runs reference apps: it cannot go with --target.',
    );
  });

  it('is in the rerun command', () => {
    const rerun = rerunCommand({
      names: ['split-retry'],
      seed: 5,
      clients: 1,
      writes: 10,
      randomRuns: 2,
      full: false,
      fleet: 3,
    });
    expect(rerun).toContain('--fleet 3');
    expect(rerun).toContain('--scenario split-retry');
  });
});
