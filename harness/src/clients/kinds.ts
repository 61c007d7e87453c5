/**
 * Every client kind a scenario can run, by the name the verdict table, the JSON (`kind`) and
 * `--client-kinds` use: a factory, whether it needs Chromium, and the packages it needs installed.
 * Landed and the naive client are the default pair; the peers are the libraries people compare
 * Landed with, each set up the way its own docs recommend (docs/comparison.md says which way).
 */
import { join } from 'node:path';
import type { ClientOptions } from '@landed/client';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { SharedChromium } from './browser/chromium.ts';
import type { PageEntry, PageOrigin } from './browser/PageOrigin.ts';
import { LandedRunner } from './LandedRunner.ts';
import { NaiveRunner } from './NaiveRunner.ts';
import type { ClientRunner, Record } from './runner.ts';

export interface KindContext {
  instance: number;
  /** The scenario's proxy in front of the app. */
  baseUrl: string;
  record: Record;
  /** A fetch over the kind's own fresh HTTP agent (Node kinds). */
  fetch: typeof fetch;
  /** The run's Chromium, started on first use (browser kinds). */
  chromium: SharedChromium;
  /** The scenario's web origin for pages, forwarding `/api/*` to `baseUrl` (browser kinds). */
  origin: () => Promise<PageOrigin>;
  /** Overrides for a Landed client (e.g. the Sentry reporter). */
  landed?: Partial<ClientOptions>;
}

export interface ClientKindSpec {
  name: string;
  /** One line for the verdict table and --help. */
  label: string;
  /** Runs in Chromium pages. */
  browser: boolean;
  /** npm packages the kind imports; a missing one stops the run with PEER_NOT_INSTALLED. */
  packages: readonly string[];
  /** Pages it serves from the scenario's origin. */
  pages?: Readonly<globalThis.Record<string, PageEntry>>;
  create(ctx: KindContext): Promise<ClientRunner>;
}

const pagesDir = join(import.meta.dirname, 'peers', 'pages');

const specs: ClientKindSpec[] = [
  {
    name: 'landed',
    label: 'Landed (@landed/client, memory outbox in-process, file outbox in processes)',
    browser: false,
    packages: [],
    create: async (c) =>
      new LandedRunner({
        instance: c.instance,
        baseUrl: c.baseUrl,
        record: c.record,
        fetch: c.fetch,
        ...(c.landed ? { client: c.landed } : {}),
      }),
  },
  {
    name: 'naive',
    label: 'naive (ky + p-retry, no key, no outbox)',
    browser: false,
    packages: ['ky', 'p-retry'],
    create: async (c) =>
      new NaiveRunner({ instance: c.instance, baseUrl: c.baseUrl, record: c.record, fetch: c.fetch }),
  },
  {
    name: 'landed-browser',
    label: 'Landed browser build (@landed/client/browser: IndexedDB outbox, Web Locks) in Chromium',
    browser: true,
    packages: ['playwright-core', 'esbuild', 'localforage'],
    // Each client its own Chromium profile, so a crashed or killed browser restarts on its IndexedDB.
    create: async (c) => {
      const { LandedBrowserRunner } = await import('./browser/LandedBrowserRunner.ts');
      return LandedBrowserRunner.open({ instance: c.instance, upstream: c.baseUrl, record: c.record });
    },
  },
  ...(['per-attempt', 'per-write'] as const).map(
    (keyMode): ClientKindSpec => ({
      name: `ky-retry-key-${keyMode}`,
      label: `ky retry on POST, Idempotency-Key made ${keyMode === 'per-attempt' ? 'on every attempt' : 'once per write'}, no outbox`,
      browser: false,
      packages: ['ky'],
      create: async (c) => {
        const { KyRetryRunner } = await import('./peers/KyRetryRunner.ts');
        return new KyRetryRunner({
          keyMode,
          instance: c.instance,
          baseUrl: c.baseUrl,
          record: c.record,
          fetch: c.fetch,
        });
      },
    }),
  ),
  browserPeer(
    'offline-transactions',
    '@tanstack/offline-transactions (IndexedDB outbox, its retry, its key) in Chromium',
    ['@tanstack/offline-transactions', '@tanstack/db'],
  ),
  browserPeer(
    'redux-offline',
    '@redux-offline/redux-offline defaults (effect, discard, retry; redux-persist localStorage) in Chromium',
    ['@redux-offline/redux-offline', 'redux'],
  ),
  browserPeer(
    'workbox-background-sync',
    'workbox-background-sync Queue in a service worker, replayed on sync, in Chromium',
    ['workbox-background-sync'],
    { serviceWorker: join(pagesDir, 'workbox-background-sync.sw.ts') },
  ),
];

function browserPeer(
  name: string,
  label: string,
  packages: string[],
  entry: Partial<PageEntry> = {},
): ClientKindSpec {
  return {
    name,
    label,
    browser: true,
    packages: ['playwright-core', 'esbuild', ...packages],
    pages: { [name]: { script: join(pagesDir, `${name}.ts`), ...entry } },
    create: async (c) => {
      const { BrowserPageRunner } = await import('./peers/BrowserPageRunner.ts');
      return BrowserPageRunner.open({
        kind: name,
        page: name,
        instance: c.instance,
        browser: await c.chromium.get(),
        origin: await c.origin(),
        record: c.record,
      });
    },
  };
}

/** Adds a kind (the browser build of Landed registers itself here the same way). */
export function registerClientKind(spec: ClientKindSpec): void {
  const at = specs.findIndex((s) => s.name === spec.name);
  if (at === -1) specs.push(spec);
  else specs[at] = spec;
}

export function clientKinds(): readonly ClientKindSpec[] {
  return specs;
}

export function clientKind(name: string): ClientKindSpec {
  const spec = specs.find((s) => s.name === name);
  if (!spec)
    throw new HarnessError(
      'UNKNOWN_CLIENT_KIND',
      `unknown client kind "${name}": use all or a comma-separated list of ${specs.map((s) => s.name).join(', ')}`,
    );
  return spec;
}

/** `--client-kinds all|a,b,...` → kind names, in registry order for `all`. */
export function parseClientKinds(value: string | undefined): string[] {
  if (value === undefined) return ['landed', 'naive'];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes('all')) return specs.map((s) => s.name);
  if (names.length === 0)
    throw new HarnessError('BAD_ARGUMENT', '--client-kinds needs all or a list of kinds');
  for (const name of names) clientKind(name);
  return [...new Set(names)];
}

/**
 * Before anything starts: every package the kinds need resolves, and Chromium starts if one of them
 * runs in it — so a missing peer or browser costs one line and exit 2, not a half-run matrix.
 */
export async function checkClientKinds(names: readonly string[], chromium: SharedChromium): Promise<void> {
  const needed = names.map(clientKind);
  for (const spec of needed)
    for (const pkg of spec.packages) {
      try {
        import.meta.resolve(pkg);
      } catch (cause) {
        throw new HarnessError(
          'PEER_NOT_INSTALLED',
          `client kind ${spec.name} needs the npm package ${pkg}: run npm ci (or npm install ${pkg} -w harness)`,
          { cause },
        );
      }
    }
  if (needed.some((s) => s.browser)) await chromium.get();
}

/** The pages of every browser kind in `names`, for the scenario's origin. */
export function pagesOf(names: readonly string[]): globalThis.Record<string, PageEntry> {
  return Object.assign({}, ...names.map((n) => clientKind(n).pages ?? {}));
}
