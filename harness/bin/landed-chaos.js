#!/usr/bin/env node
// landed-chaos: runs the TypeScript source directly (Node ≥ 22.18 strips types) with the workspace's
// `landed-source` condition, so the harness needs no build step.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const run = spawnSync(
  process.execPath,
  ['--conditions=landed-source', '--no-warnings', main, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
