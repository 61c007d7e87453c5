/**
 * Finds a real Toxiproxy, in the order DESIGN.md fixes: one already running at `TOXIPROXY_URL`, the
 * project-local `.tools/bin/server`, `toxiproxy-server` on PATH, or — when Go is installed — a fresh
 * `go install` of the pinned version into `.tools/bin`. Never a fake: without Toxiproxy the harness
 * would prove nothing, so it stops and says how to get one.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HarnessError } from './errors.ts';

export const TOXIPROXY_VERSION = '2.12.0';
const MODULE = 'github.com/Shopify/toxiproxy/v2';

export type ToxiproxySource =
  | { kind: 'url'; url: string }
  | { kind: 'binary'; path: string; installed: boolean };

export interface LocateOptions {
  /** Repository root (holds `.tools/bin`). */
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (installing can take a minute). */
  log?: (line: string) => void;
  /** Where Go may be when it is not on PATH. @default ['/usr/local/go/bin/go'] */
  goCandidates?: string[];
}

export function locateToxiproxy({
  root,
  env = process.env,
  log = () => {},
  goCandidates = ['/usr/local/go/bin/go'],
}: LocateOptions): ToxiproxySource {
  if (env.TOXIPROXY_URL) return { kind: 'url', url: env.TOXIPROXY_URL.replace(/\/+$/, '') };
  const local = join(root, '.tools', 'bin', 'server');
  if (isExecutable(local)) return { kind: 'binary', path: local, installed: false };
  const onPath = which('toxiproxy-server', env);
  if (onPath) return { kind: 'binary', path: onPath, installed: false };
  const go = which('go', env) ?? goCandidates.find(isExecutable);
  if (!go) {
    throw new HarnessError(
      'TOXIPROXY_NOT_FOUND',
      `Toxiproxy was not found: set TOXIPROXY_URL to a running server, put toxiproxy-server on PATH, or install Go and run\n  GOBIN=${join(root, '.tools', 'bin')} go install -ldflags="-X ${MODULE}.Version=${TOXIPROXY_VERSION}" ${MODULE}/cmd/server@v${TOXIPROXY_VERSION}`,
    );
  }
  log(`installing Toxiproxy ${TOXIPROXY_VERSION} with ${go} into .tools/bin …`);
  const run = spawnSync(
    go,
    [
      'install',
      `-ldflags=-X ${MODULE}.Version=${TOXIPROXY_VERSION}`,
      `${MODULE}/cmd/server@v${TOXIPROXY_VERSION}`,
    ],
    {
      env: { ...env, GOBIN: join(root, '.tools', 'bin') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (run.status !== 0 || !isExecutable(local)) {
    throw new HarnessError(
      'TOXIPROXY_INSTALL_FAILED',
      `go install of Toxiproxy failed (exit ${run.status}): ${run.stderr.trim().slice(-600)}\nCheck network access to the Go module proxy, or set TOXIPROXY_URL.`,
    );
  }
  return { kind: 'binary', path: local, installed: true };
}

function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
