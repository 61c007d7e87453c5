/**
 * `@landed/server/hono` with the memory store needs no Node built-in: the bundle an app would ship to
 * Workers, Deno or Bun imports none, and it serves the protocol in Chromium's module worker (no
 * `process`, no `Buffer`, no `node:crypto`), where a repeat of a key is a replay with one effect.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, 'support', 'hono-worker.ts');
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Bundles the worker as an app's bundler would for a runtime without Node, noting every built-in it asks for. */
async function bundle(platform: 'browser' | 'neutral') {
  const asked: string[] = [];
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    mainFields: ['module', 'main'],
    conditions: ['landed-source', 'worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (!builtins.has(args.path) && !args.path.startsWith('node:')) return undefined;
            asked.push(`${args.path} (from ${args.importer})`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return { asked, text: result.outputFiles[0]?.text ?? '' };
}

describe('@landed/server/hono without Node', () => {
  it('bundles with no Node built-in imported or required, on the browser and the neutral platform', async () => {
    for (const platform of ['browser', 'neutral'] as const) {
      const { asked, text } = await bundle(platform);
      expect(asked, platform).toEqual([]);
      expect(text).not.toMatch(
        /from\s*["']node:|import\(\s*["']node:|require\(\s*["'](node:|crypto|timers|buffer)/,
      );
      // The bundle is the real thing: the core and the adapter are in it.
      expect(text).toContain('landedIdempotency');
    }
  });

  describe('in Chromium, in a module worker', () => {
    let browser: Browser;
    let server: Server;
    let origin: string;

    beforeAll(async () => {
      const { text } = await bundle('browser');
      // Loopback is a secure context, so the worker has crypto.subtle as a deployed app would.
      server = createServer((req, res) => {
        if (req.url === '/worker.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          res.end(text);
        } else {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<!doctype html><title>landed</title>');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('answers a repeat of a key as a replay with one effect, and 422, lookup and 400 as on Node', async () => {
      const page = await browser.newPage();
      await page.goto(origin);
      const outcome = await page.evaluate(
        () =>
          new Promise<{ ok: boolean; result?: unknown; error?: string }>((resolve) => {
            const worker = new Worker('/worker.js', { type: 'module' });
            worker.onmessage = (event) => resolve(event.data);
            worker.onerror = (event) => resolve({ ok: false, error: event.message });
          }),
      );
      expect(outcome.error).toBeUndefined();
      const r = outcome.result as {
        globals: Record<string, string>;
        first: { status: number; headers: Record<string, string>; body: string };
        second: { status: number; headers: Record<string, string>; body: string };
        reused: { status: number; body: string };
        lookup: { status: number; body: string };
        missing: { status: number; body: string };
        effects: string[];
        fingerprint: string;
      };
      // Nothing of Node's is there to lean on.
      expect(r.globals).toEqual({ process: 'undefined', Buffer: 'undefined', window: 'undefined' });
      expect(r.first.status).toBe(201);
      expect(r.first.headers['idempotency-key']).toBe('"k-1"');
      expect(r.first.headers['idempotency-retention']).toBe('86400');
      expect(r.first.headers['idempotent-replayed']).toBeUndefined();
      expect(r.second.status).toBe(201);
      expect(r.second.headers['idempotent-replayed']).toBe('true');
      expect(JSON.parse(r.second.body)).toEqual(JSON.parse(r.first.body));
      expect(r.effects).toEqual(['k-1']);
      expect(r.reused.status).toBe(422);
      expect(JSON.parse(r.reused.body).code).toBe('idempotency-key-reused');
      expect(r.lookup.status).toBe(200);
      expect(JSON.parse(r.lookup.body)).toMatchObject({ key: 'k-1', status: 201, replayed: true });
      expect(r.missing.status).toBe(400);
      expect(JSON.parse(r.missing.body).code).toBe('idempotency-key-missing');
      // Web Crypto's sha-256 in the browser is the digest Node computes: records move between runtimes.
      expect(r.fingerprint).toBe(createHash('sha256').update('POST\n/orders\n{"item":"pen"}').digest('hex'));
      await page.close();
    });
  });
});
