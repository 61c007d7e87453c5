/**
 * `landed-chaos run`: starts (or finds) Toxiproxy, runs the scenario matrix with Landed and naive
 * clients side by side, prints the verdict table, writes the JSON and HTML reports, and exits 1 when
 * any Landed scenario has a violation — naive failures are the expected contrast, not a failure.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertReachable, type ConformReport, conform } from '../conform/conform.ts';
import { htmlReport } from '../report/html.ts';
import { jsonReport } from '../report/json.ts';
import { junitReport } from '../report/junit.ts';
import { markdownReport } from '../report/markdown.ts';
import { ledgerNotice, protocolNotice } from '../report/protocol-notice.ts';
import { type RunMeta, rerunCommand } from '../report/rerun.ts';
import { type ChaosSentry, describeDsn, openChaosSentry } from '../report/sentry.ts';
import { verdictTable } from '../report/table.ts';
import { runMatrix } from '../scenarios/matrix.ts';
import { runSize } from '../scenarios/runScenario.ts';
import { startToxiproxy } from '../toxiproxy/ToxiproxyServer.ts';
import { parseRunArgs, USAGE } from './args.ts';
import { experimentCommand } from './experiment.ts';
import { Progress } from './progress.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
/** A museum write (the routes a --target offers) for the protocol probes. */
const MUSEUM_PROBE_BODY =
  '{"writeId":"{{writeId}}","visitor":"landed-conform","ticket":"T-conform","price":25}';

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.experiment) return experimentCommand(args.experiment);
  const progress = new Progress();
  let conformance: ConformReport | undefined;
  if (args.target) {
    // Before Toxiproxy starts: a target that is down, or does not speak the protocol, is said first.
    await assertReachable(args.target);
    conformance = await conform({ target: args.target, path: '/tickets', body: MUSEUM_PROBE_BODY });
    const failed = conformance.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    progress.line(
      conformance.refused
        ? `Protocol probes: POST /tickets was not accepted (${conformance.refused.answer?.status ?? conformance.refused.error})`
        : `Protocol probes: ${failed.length ? `failed ${failed.join(', ')}` : 'every check passed or does not apply'}`,
    );
  }
  const toxiproxy = await startToxiproxy({ root: ROOT, log: (l) => progress.line(l) });
  const workDir = mkdtempSync(join(tmpdir(), 'landed-chaos-'));
  const postgresUrl = process.env.DATABASE_URL || undefined;
  const database: RunMeta['database'] = args.target ? 'target' : postgresUrl ? 'postgres' : 'sqlite';
  progress.line(
    `Toxiproxy ${toxiproxy.version} at ${toxiproxy.url} · ${database} · ${args.clients} client(s) of each kind × ${args.writes} writes · seed ${args.seed}`,
  );
  let sentry: ChaosSentry | undefined;
  const dsn = process.env.SENTRY_DSN?.trim();
  if (dsn) {
    sentry = await openChaosSentry({
      dsn,
      tags: {
        'chaos.run': randomUUID().slice(0, 8),
        'chaos.seed': String(args.seed),
        'chaos.database': database,
        'chaos.toxiproxy': toxiproxy.version,
      },
    }).catch(async (error: unknown) => {
      await toxiproxy.stop();
      throw error;
    });
    progress.line(
      `Sentry (${describeDsn(dsn)}): reporting each Landed write that needs a person and each violation`,
    );
  }
  const stopOnSignal = () => {
    void toxiproxy.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  try {
    const runs = await runMatrix(
      {
        toxiproxy,
        workDir,
        postgresUrl,
        target: args.target,
        sentry,
        onProgress: (done, planned, faults) => progress.update(done, planned, faults),
      },
      {
        names: args.names,
        size: runSize(args.clients, args.writes, args.full ? 120_000 : 30_000),
        seed: args.seed,
        randomRuns: args.randomRuns,
        randomPath: args.randomPath,
        rerun: (seed, path) =>
          `npm run chaos -- --scenario random --seed ${seed} --runs ${args.randomRuns} --clients ${args.clients} --writes ${args.writes}${path ? ` --path ${path}` : ''}`,
        log: (l) => progress.line(l),
        onScenario: (name, i, n) => progress.scenario(name, i, n),
        onResult: (run) => {
          const landed = run.verdicts.find((v) => v.client === 'landed');
          progress.line(
            run.skipped
              ? `  ${run.name}: skipped (${run.skipped})`
              : `  ${run.name}: Landed ${landed?.passed ? 'PASS' : 'FAIL'} in ${(run.durationMs / 1000).toFixed(1)} s`,
          );
        },
      },
    );
    const notice = conformance && protocolNotice(conformance);
    if (notice) process.stdout.write(`\n${notice}\n`);
    process.stdout.write(`\n${verdictTable(runs, Boolean(process.stdout.isTTY))}\n`);
    const payloads = args.target && ledgerNotice(runs.flatMap((r) => r.verdicts));
    if (payloads) process.stdout.write(`${payloads}\n`);
    const meta: RunMeta = {
      toxiproxy: { version: toxiproxy.version, url: toxiproxy.url },
      seed: args.seed,
      database,
      argv,
      rerun: rerunCommand(args),
    };
    const write = (file: string, text: string) => {
      mkdirSync(dirname(resolve(file)), { recursive: true });
      writeFileSync(file, text);
      progress.line(`wrote ${file}`);
    };
    if (args.json) write(args.json, `${JSON.stringify(jsonReport(runs, meta), null, 2)}\n`);
    if (args.junit) write(args.junit, junitReport(runs, meta));
    if (args.markdown) write(args.markdown, markdownReport(runs, meta));
    if (args.html) write(args.html, htmlReport(runs, { ...meta, generatedAt: new Date() }));
    if (sentry) {
      const sent = await sentry.close(10_000);
      progress.line(
        `Sentry: ${sentry.violations} violation event(s)${sent ? '' : ' (some may not have been delivered in 10 s)'}, plus what Landed clients reported`,
      );
    }
    const failed = runs.filter((r) => r.verdicts.some((v) => v.client === 'landed' && !v.passed));
    if (failed.length) {
      progress.line(
        `\nLanded violations in: ${failed.map((r) => r.name).join(', ')} (seed ${args.seed})\nrerun: ${meta.rerun}`,
      );
      return 1;
    }
    progress.line('\nLanded: no write lost, none applied twice, none left unresolved.');
    return 0;
  } finally {
    process.off('SIGINT', stopOnSignal);
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
