// Runs before `npm test`, `npm run chaos` and `npm run bench`: on a fresh clone it installs the locked
// dependencies (including Node 24, which every script runs on), so the quick start is one command
// each. Plain JavaScript on purpose: it runs on whatever Node started npm, before Node 24 is there.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const nodeBin = join(root, 'node_modules', '.bin', 'node');
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale =
  !existsSync(nodeBin) ||
  !existsSync(installed) ||
  statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000;
if (stale) {
  console.log('Installing the locked dependencies (npm ci) …');
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
