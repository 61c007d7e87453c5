// `node packages/client/bench/bundle-breakdown.ts` (Node 24): where the bytes of `@landed/client/browser`
// go, minified + gzip. It prints the whole entry and Landed's own code (ky, p-retry and localforage left
// out) as size-limit's bundler builds them (rolldown, every export, browser conditions), each module's
// share of the own code (how much the gzip of the bundle drops when that module's code is left out of
// it, esbuild's per-module output), and the "floor": the outbox, scheduler (delivery, reconciler,
// transport, classification, sending slots), retry budget, localforage store and Web Locks alone,
// without the client's public face. docs/benchmarks.md ("Browser bundle") records what it measured.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { rolldown } from 'rolldown';

const src = join(import.meta.dirname, '..', 'src');
const DEPS = ['ky', 'p-retry', 'localforage'];
const depPattern = new RegExp(`^(${DEPS.join('|')})($|/)`);
const gzip = (code: string) => gzipSync(code).length;

/** As size-limit's rolldown plugin bundles an entry (minified, annotations dropped), gzipped. */
async function measure(entry: string, withDeps: boolean): Promise<number> {
  const bundle = await rolldown({
    input: [entry],
    treeshake: true,
    platform: 'browser',
    resolve: { conditionNames: ['landed-source', 'browser', 'import', 'module', 'default'] },
    ...(withDeps ? {} : { external: depPattern }),
    logLevel: 'silent',
  });
  const { output } = await bundle.generate({ minify: true, comments: { annotation: false } });
  return gzip(output[0].code);
}

/** Each module's share of the own code: the gzip of the whole minus the gzip without that module's code. */
async function shares(entry: string): Promise<Array<[string, number]>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['landed-source'],
    external: DEPS.flatMap((dep) => [dep, `${dep}/*`]),
    minifyIdentifiers: true,
    minifySyntax: true,
    logLevel: 'silent',
  });
  // Whitespace is kept so esbuild's `// path` comments mark where each module's code starts. The
  // closing `export { … }` goes: it names the exported functions, which could not be cut out with it.
  const code = (result.outputFiles[0]?.text ?? '').replace(/^export \{[^}]*\};\s*$/m, '');
  const parts = code.split(/^(?=\/\/ )/m);
  const squeezed = async (code: string) => {
    try {
      return gzip((await transform(code, { minifyWhitespace: true, loader: 'js' })).code);
    } catch {
      return undefined; // the module's code cannot be cut out on its own (it holds the imports)
    }
  };
  const whole = (await squeezed(parts.join(''))) ?? 0;
  const rows: Array<[string, number]> = [];
  for (const [i, part] of parts.entries()) {
    const without = await squeezed(parts.filter((_, j) => j !== i).join(''));
    const name = (part.split('\n')[0] ?? '').replace(/^\/\/ .*?packages\//, '');
    if (without !== undefined && name.includes('/src/')) rows.push([name, whole - without]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
}

const entry = join(src, 'browser.ts');
const floorEntry = join(tmpdir(), `landed-bundle-floor-${process.pid}.ts`);
writeFileSync(
  floorEntry,
  [
    `export { Outbox } from ${JSON.stringify(join(src, 'core', 'Outbox.ts'))};`,
    `export { Scheduler } from ${JSON.stringify(join(src, 'core', 'Scheduler.ts'))};`,
    `export { RetryBudget } from ${JSON.stringify(join(src, 'core', 'backoff.ts'))};`,
    `export { localforageStore } from ${JSON.stringify(join(src, 'store', 'localforage', 'localforage-store.ts'))};`,
    `export { webLocksLeadership } from ${JSON.stringify(join(src, 'adapter', 'browser', 'web-locks.ts'))};`,
  ].join('\n'),
);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
console.log(`whole entry                 ${kb(await measure(entry, true))}`);
console.log(`Landed's own code           ${kb(await measure(entry, false))}`);
console.log(`floor, whole                ${kb(await measure(floorEntry, true))}`);
console.log(`floor, own code             ${kb(await measure(floorEntry, false))}`);
console.log('\nshare of the own code by module (gzip bytes; modules that hold the imports are not listed):');
for (const [name, bytes] of await shares(entry)) console.log(`${String(bytes).padStart(6)}  ${name}`);
