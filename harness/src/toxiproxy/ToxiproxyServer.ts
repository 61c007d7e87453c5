/**
 * A real Toxiproxy server for one harness run: started on a free loopback port (or reached at
 * `TOXIPROXY_URL`), waited for, asked for its real version, and stopped when the run ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Toxiproxy } from 'toxiproxy-node-client';
import { HarnessError } from './errors.ts';
import { freePort } from './free-port.ts';
import { type LocateOptions, locateToxiproxy } from './locate.ts';

export interface ToxiproxyServer {
  readonly url: string;
  readonly version: string;
  readonly client: Toxiproxy;
  /** Stops the server when the harness started it; leaves an external one running. */
  stop(): Promise<void>;
}

export async function startToxiproxy(options: LocateOptions): Promise<ToxiproxyServer> {
  const source = locateToxiproxy(options);
  if (source.kind === 'url') {
    const client = new Toxiproxy(source.url);
    const version = await waitForVersion(client, 5_000, undefined).catch((cause: unknown) => {
      throw new HarnessError(
        'TOXIPROXY_UNREACHABLE',
        `No Toxiproxy answers at TOXIPROXY_URL=${source.url}: start it or unset the variable.`,
        { cause },
      );
    });
    return { url: source.url, version, client, stop: async () => {} };
  }
  const port = await freePort();
  const child = spawn(source.path, ['-host', '127.0.0.1', '-port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Toxiproxy logs every connection; keep only the tail for an error message.
    stderr = (stderr + chunk).slice(-2_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new Toxiproxy(url);
  let version: string;
  try {
    version = await waitForVersion(client, 10_000, child);
  } catch (cause) {
    child.kill('SIGKILL');
    throw new HarnessError(
      'TOXIPROXY_START_FAILED',
      `Toxiproxy (${source.path}) did not start on port ${port}: ${stderr.trim().slice(-400) || String(cause)}`,
      { cause },
    );
  }
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  return {
    url,
    version,
    client,
    stop: () => stopChild(child, stopOnExit),
  };
}

async function waitForVersion(
  client: Toxiproxy,
  timeoutMs: number,
  child: ChildProcess | undefined,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const text = (await client.getVersion()).trim();
      // 2.x answers JSON (`{"version":"2.12.0"}`), older releases plain text.
      return text.startsWith('{') ? String((JSON.parse(text) as { version?: string }).version ?? text) : text;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw last instanceof Error ? last : new Error('timed out');
}

function stopChild(child: ChildProcess, stopOnExit: () => void): Promise<void> {
  process.off('exit', stopOnExit);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  });
}
