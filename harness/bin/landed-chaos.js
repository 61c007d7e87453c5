#!/usr/bin/env node
// landed-chaos: runs the TypeScript source directly with the workspace's `landed-source` condition, so
// the harness needs no build step. That takes a Node that strips types (≥ 22.18, or ≥ 23.6); on an
// older one — the README names Node ≥ 20 for running the project — this file (plain JavaScript that
// Node 20 runs) re-runs itself on the project's Node 24, the `node` devDependency `npm ci` installs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'src', 'cli', 'main.ts');

function stripsTypes(version) {
  const [major, minor] = version.slice(1).split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

function projectNode() {
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const node = stripsTypes(process.version) ? process.execPath : projectNode();
if (!node) {
  process.stderr.write(
    `landed-chaos: NODE_TOO_OLD: it runs its TypeScript source and needs Node >= 22.18; this is Node ${process.version}.\n` +
      '  In the repository, `npm ci` installs Node 24 (a devDependency) and then any of these works:\n' +
      '    npm run chaos -- <options>          (the run command on Node 24)\n' +
      '    npx landed-chaos <command> <options>\n' +
      '    npx node --conditions=landed-source harness/src/cli/main.ts <command> <options>\n',
  );
  process.exit(2);
}
const run = spawnSync(node, ['--conditions=landed-source', '--no-warnings', main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
