// docs/examples/opentelemetry/trace-a-write.ts runs as docs/opentelemetry.md says, and prints one
// trace: the app's span, the write span, two attempt spans, and the server's span under each attempt.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

test('the documented example prints one trace from the app span down to the server spans', () => {
  const run = spawnSync(
    process.execPath,
    ['--conditions=landed-source', '--no-warnings', 'docs/examples/opentelemetry/trace-a-write.ts'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toBe('outcome: confirmed');
  expect(lines[1]).toMatch(/^trace [0-9a-f]{32}: 6 spans$/);
  // The tree, attribute values aside: every span is in it, each under its parent.
  expect(lines.slice(2).map((line) => line.replace(/ {2}[\w.]+=.*$/, ''))).toEqual([
    'buy ticket',
    '  landed.write POST /visitors/:visitor/tickets',
    '    POST /visitors/:visitor/tickets',
    '      server POST /tickets',
    '    POST /visitors/:visitor/tickets',
    '      server POST /tickets',
  ]);
  expect(lines[4]).toContain('landed.attempt=1 landed.outcome=uncertain');
  expect(lines[6]).toContain('landed.attempt=2 landed.outcome=confirmed');
  expect(run.stdout).not.toContain('promo');
});
