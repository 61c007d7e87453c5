/**
 * A bounded closed-loop load generator for the server benchmarks: `concurrency` workers send requests
 * back to back with fetch on loopback for `durationMs`, and the rate of successful answers is counted.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadResult {
  rps: number;
  ok: number;
  failed: number;
  latencies: number[];
}

export async function runLoad(
  send: (i: number) => Promise<Response>,
  { concurrency = 16, durationMs = 3000, expect = (r: Response) => r.ok } = {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      const response = await send(next++);
      await response.arrayBuffer();
      latencies.push(performance.now() - t);
      if (expect(response)) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { rps: ok / seconds, ok, failed, latencies };
}

export async function listen(
  listener: RequestListener,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer({ keepAlive: true }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a JSON body (the baseline endpoints do what the middleware does for them). */
export async function readJson(req: import('node:http').IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Alternates ours and baseline phases (A B A B …) so drift on a noisy machine hits both alike. */
export async function alternate(
  rounds: number,
  ours: () => Promise<LoadResult>,
  baseline: () => Promise<LoadResult>,
): Promise<{ ours: LoadResult; baseline: LoadResult }> {
  const merge = (results: LoadResult[]): LoadResult => ({
    rps: results.reduce((sum, r) => sum + r.rps, 0) / results.length,
    ok: results.reduce((sum, r) => sum + r.ok, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    latencies: results.flatMap((r) => r.latencies),
  });
  const a: LoadResult[] = [];
  const b: LoadResult[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await ours());
      b.push(await baseline());
    } else {
      b.push(await baseline());
      a.push(await ours());
    }
  }
  return { ours: merge(a), baseline: merge(b) };
}
