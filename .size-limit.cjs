// Bundle budgets (minified + gzip, dependencies included unless listed in `ignore`), checked by
// packages/client/test/browser/size.test.ts: a blown budget fails the tests.
// Workspace packages resolve to their TypeScript source, as in every other tool of this repository.
const sourceConditions = (config) => ({
  ...config,
  platform: 'browser',
  resolve: { ...config.resolve, conditionNames: ['landed-source', 'browser', 'import', 'module', 'default'] },
});

const check = (options) => ({ import: '*', gzip: true, modifyRolldownConfig: sourceConditions, ...options });

module.exports = [
  // Everything a page loads for the outbox: Landed, ky, p-retry and localforage. The target is 28 KB
  // for the whole entry and 10 KB for Landed's own code; the dependencies alone take 17.7 KB of it and
  // the outbox's core alone (outbox, scheduler, delivery, reconciler, localforage store, Web Locks,
  // without the client's public face) measures 10.4 KB of own code, so neither target is met. Both
  // budgets are the measure (33.8 KB, 16.2 KB) with a little room: they fail on growth instead of
  // hiding the gap. Raised by the 0.28 KB that "accepts first" (core/burst.ts) measured: 34.16 KB and
  // 16.55 KB with it; then by the 0.28 KB of the request built while its commit is written
  // (`prepareExchange`, and fetch given the request's parts): 34.41 KB and 16.83 KB; then by the
  // observer's `stamp` (a write's trace context kept with it): 34.49 KB and 16.87 KB; then by the
  // localforage store's `durability: 'strict'` (store/localforage/strict.ts): 34.70 KB and 17.10 KB.
  // docs/benchmarks.md ("Browser bundle") has the figures and what was tried; re-measure with
  // `node packages/client/bench/bundle-breakdown.ts`.
  check({
    name: '@landed/client/browser',
    path: 'packages/client/src/browser.ts',
    limit: '34.8 KB',
  }),
  // Landed's own code in the same entry (ky, p-retry and localforage left out), so growth in the
  // outbox's code shows on its own instead of hiding in the dependencies' share.
  check({
    name: '@landed/client/browser (own code)',
    path: 'packages/client/src/browser.ts',
    ignore: ['ky', 'p-retry', 'localforage'],
    limit: '17.2 KB',
  }),
  // The service-worker entry (serviceWorkerSender for the worker, connectServiceWorker for the page):
  // the whole client as a worker script loads it, every dependency included as for the browser entry.
  // Budget: the 34.9 KB measured + 5% (docs/service-worker.md, "Size").
  check({
    name: '@landed/client/sw',
    path: 'packages/client/src/sw.ts',
    limit: '36.7 KB',
  }),
  check({
    name: '@landed/sentry',
    path: 'packages/sentry/src/index.ts',
    ignore: ['@sentry/browser', '@sentry/core'],
    limit: '3 KB',
  }),
  check({ name: '@landed/console', path: 'packages/console/src/index.ts', limit: '12 KB' }),
  check({
    name: '@landed/opentelemetry',
    path: 'packages/opentelemetry/src/index.ts',
    ignore: ['@opentelemetry/api'],
    limit: '2.5 KB',
  }),
  // The React bindings and the TanStack Query adapter (both entries), without the peers an app has.
  check({
    name: '@landed/react',
    path: ['packages/react/src/index.ts', 'packages/react/src/query.ts'],
    // Every export of both (size-limit cannot take `*` from two files at once).
    import: {
      'packages/react/src/index.ts':
        '{ LandedProvider, snapshotsOf, useEntry, useLandedClient, useOutboxSummary, useWrite }',
      'packages/react/src/query.ts':
        '{ invalidateOnConfirmed, LandedWriteError, landedMutation, useLandedMutation }',
    },
    ignore: ['react', '@landed/client', '@tanstack/react-query'],
    limit: '2 KB',
  }),
];
