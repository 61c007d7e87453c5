import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

/**
 * Bundles a page script for the browser exactly as an app's bundler would: workspace packages resolve
 * to their TypeScript source through the `landed-source` condition, dependencies come from node_modules.
 */
export function bundlePage(entry: string): Promise<string> {
  let bundled = cache.get(entry);
  if (!bundled) {
    bundled = build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      conditions: ['landed-source'],
      sourcemap: 'inline',
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]?.text ?? '');
    cache.set(entry, bundled);
  }
  return bundled;
}
