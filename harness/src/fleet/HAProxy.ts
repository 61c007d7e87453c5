/**
 * Debian's HAProxy as the fleet's load balancer, started by the harness with a generated configuration
 * (see haproxy-config.ts) in the foreground, and stopped with the fleet. Found as `HAPROXY_BIN`, else
 * `haproxy` on `PATH`, else `/usr/sbin/haproxy`; without it the run stops with `HAPROXY_NOT_FOUND`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { killOnExit } from '../kill-on-exit.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { freePort } from '../toxiproxy/free-port.ts';
import { type HAProxyConfigOptions, haproxyConfig } from './haproxy-config.ts';

export function locateHAProxy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HAPROXY_BIN) return existsSync(env.HAPROXY_BIN) ? env.HAPROXY_BIN : undefined;
  const onPath = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  return existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : undefined;
}

export class HAProxy {
  readonly port: number;
  readonly configPath: string;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, port: number, configPath: string) {
    this.#child = child;
    this.port = port;
    this.configPath = configPath;
  }

  /** The process id of HAProxy (its CPU is read from /proc by the fleet benchmark). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Writes the configuration into `dir`, starts HAProxy and resolves once it accepts connections. */
  static async start(dir: string, options: Omit<HAProxyConfigOptions, 'port'>): Promise<HAProxy> {
    const bin = locateHAProxy();
    if (!bin)
      throw new HarnessError(
        'HAPROXY_NOT_FOUND',
        'A fleet run needs HAProxy as its load balancer: install it (Debian: apt-get install -y haproxy) or set HAPROXY_BIN.',
      );
    const port = await freePort();
    const configPath = join(dir, 'haproxy.cfg');
    writeFileSync(configPath, haproxyConfig({ ...options, port }));
    // -db: stay in the foreground, so the process is ours to stop; -W is not needed for one process.
    const child = spawn(bin, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-2_000);
    });
    killOnExit(child);
    const proxy = new HAProxy(child, port, configPath);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new HarnessError('HAPROXY_FAILED', `HAProxy exited with ${child.exitCode}: ${stderr.trim()}`);
      if (await accepts(port)) return proxy;
      if (Date.now() > deadline) {
        await proxy.stop();
        throw new HarnessError('HAPROXY_FAILED', `HAProxy did not listen within 15 s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
