/**
 * The HAProxy configuration of a fleet: one frontend on loopback, one backend with every instance, and
 * nothing of HAProxy's own that would hide a fault from the clients. `retries 0` and no
 * `option redispatch`: a request whose instance is down or dies fails back to the client (502/503), and
 * the client's own retry is what reaches another instance. No health checks: a dead instance is not
 * taken out of the rotation, so the clients meet it as they would before an orchestrator notices.
 */

export interface HAProxyBackend {
  name: string;
  port: number;
}

export interface HAProxyConfigOptions {
  /** Loopback port of the frontend. */
  port: number;
  backends: readonly HAProxyBackend[];
  /**
   * `round-robin`: each request goes to the next instance (HAProxy balances per request in HTTP mode,
   * also on a kept-alive client connection). `attempt`: a request carrying `Landed-Attempt: n` goes to
   * instance `n mod N`, so every retry of a write lands on another instance than the attempt before it;
   * requests without the header are balanced round-robin.
   * @default 'round-robin'
   */
  routing?: 'round-robin' | 'attempt';
  /** How long HAProxy waits for an instance's answer (a slow handler must not be cut off). @default 120000 */
  serverTimeoutMs?: number;
  /**
   * HAProxy's threads (`nbthread`; HAProxy's own default is one per core). One thread forwards tens of
   * thousands of requests a second, far more than a fleet of reference apps answers; on a small
   * machine a second thread only competes with the instances and PostgreSQL for the cores (measured
   * in docs/benchmarks.md, `server.fleet.throughput`).
   * @default 1
   */
  threads?: number;
}

export function haproxyConfig({
  port,
  backends,
  routing = 'round-robin',
  serverTimeoutMs = 120_000,
  threads = 1,
}: HAProxyConfigOptions): string {
  if (backends.length === 0) throw new RangeError('A fleet needs at least one instance.');
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`HAProxy needs a whole number of threads, at least 1 (got ${threads}).`);
  const lines = [
    'global',
    '  maxconn 4096',
    `  nbthread ${threads}`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    `  timeout server ${Math.ceil(serverTimeoutMs / 1000)}s`,
    '  timeout http-keep-alive 5s',
    '  retries 0',
    '  no option redispatch',
    '',
    'frontend landed_fleet',
    `  bind 127.0.0.1:${port}`,
    '  default_backend landed_instances',
    '',
    'backend landed_instances',
    '  balance roundrobin',
  ];
  if (routing === 'attempt') {
    lines.push(
      `  http-request set-var(txn.landed_instance) req.hdr_val(landed-attempt),mod(${backends.length}) if { req.hdr(landed-attempt) -m found }`,
      ...backends.map((b, i) => `  use-server ${b.name} if { var(txn.landed_instance) -m int ${i} }`),
    );
  }
  for (const b of backends) lines.push(`  server ${b.name} 127.0.0.1:${b.port}`);
  return `${lines.join('\n')}\n`;
}
