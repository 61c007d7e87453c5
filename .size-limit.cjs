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
  // localforage is a peer dependency the app installs (and may already use), as the Sentry SDK is
  // for @landed/sentry: this budget is what Landed itself adds to a page.
  check({
    name: '@landed/client/browser',
    path: 'packages/client/src/browser.ts',
    ignore: ['localforage'],
    limit: '25 KB',
  }),
  // Everything a page loads for the outbox, localforage included (see docs/browser.md, "Size").
  check({
    name: '@landed/client/browser + localforage',
    path: 'packages/client/src/browser.ts',
    limit: '31 KB',
  }),
  check({
    name: '@landed/sentry',
    path: 'packages/sentry/src/index.ts',
    ignore: ['@sentry/browser', '@sentry/core'],
    limit: '3 KB',
  }),
  check({ name: '@landed/console', path: 'packages/console/src/index.ts', limit: '12 KB' }),
];
