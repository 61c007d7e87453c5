// `npm run bench [-- --out FILE] [-- --only PREFIX]`: runs every benchmark file of the workspace
// (`packages/*/bench/*.bench.ts`, `harness/bench/*.bench.ts`) in its own Node process, collects the
// results each prints as `BENCH {json}` lines, prints a table and writes
// `{"results":[{"id","ours","baseline","ratio","unit"}]}`.
// Every figure is a ratio against a baseline measured in the same process and the same run: these
// machines are noisy, so absolute timings mean little and are never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchResult {
  id: string;
  ours: number;
  baseline: number;
  ratio: number;
  unit: string;
  /** e.g. "<= 1.15" or ">= 8" */
  target?: string;
  /** anything else worth printing (peak RSS, attempts per write …) */
  notes?: Record<string, number | string>;
}

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { out: { type: 'string' }, only: { type: 'string' } },
  allowPositionals: true,
});

const benchDirs = [
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'bench')),
  join(root, 'harness', 'bench'),
];
const files = benchDirs
  .filter((d) => existsSync(d))
  .flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => join(d, f)),
  )
  .sort();

const results: BenchResult[] = [];
let crashed = 0;
for (const file of files) {
  console.error(`• ${relative(root, file)}`);
  const run = spawnSync(process.execPath, ['--conditions=landed-source', '--expose-gc', file], {
    cwd: root,
    env: { ...process.env, LANDED_BENCH_ONLY: values.only ?? '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('BENCH ')) results.push(JSON.parse(line.slice(6)) as BenchResult);
  }
  if (run.status !== 0) {
    crashed++;
    console.error(`  ✗ ${relative(root, file)} exited with ${run.status ?? run.signal}`);
  }
}

function meets(r: BenchResult): string {
  if (!r.target) return '';
  const m = /^(<=|>=)\s*([\d.]+)$/.exec(r.target);
  if (!m) return '';
  const limit = Number(m[2]);
  return (m[1] === '<=' ? r.ratio <= limit : r.ratio >= limit) ? 'yes' : 'NO';
}
// Whole numbers (counts: samples, writes left unconfirmed) as they are; fractions to a useful precision.
const fmt = (n: number) =>
  Number.isInteger(n) || Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(4);
const rows = results.map((r) => [
  r.id,
  fmt(r.ours),
  fmt(r.baseline),
  r.unit,
  r.ratio.toFixed(3),
  r.target ?? '',
  meets(r),
  Object.entries(r.notes ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`)
    .join(' '),
]);
const head = ['id', 'ours', 'baseline', 'unit', 'ratio', 'target', 'met', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
if (values.out) {
  writeFileSync(values.out, `${JSON.stringify({ results }, null, 2)}\n`);
  console.log(`\nwrote ${values.out}`);
}
process.exit(crashed ? 1 : 0);
