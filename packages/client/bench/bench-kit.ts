// Shared by every benchmark file: emit one result line that scripts/bench.ts collects.
export interface BenchResult {
  id: string;
  ours: number;
  baseline: number;
  ratio: number;
  unit: string;
  target?: string;
  notes?: Record<string, number | string>;
}

/** True when `npm run bench -- --only PREFIX` excludes this id. */
export function skipped(id: string): boolean {
  const only = process.env.LANDED_BENCH_ONLY;
  return Boolean(only) && !id.startsWith(only as string);
}

export function emit(result: BenchResult): void {
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}
