/**
 * `landed-chaos run`: reads the experiment (`--experiment FILE`, or the museum matrix in
 * harness/experiments/museum.yaml), starts (or finds) Toxiproxy, runs its scenarios, prints the
 * verdict table, writes the JSON, HTML, JUnit and Markdown reports, and exits 1 when a Landed verdict
 * did not hold its thresholds — naive failures are the expected contrast, not a failure.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { VIOLATIONS } from '../checker/check.ts';
import { isLanded } from '../checker/history.ts';
import { SharedChromium } from '../clients/browser/chromium.ts';
import { checkClientKinds } from '../clients/kinds.ts';
import { assertReachable, type ConformReport, conform } from '../conform/conform.ts';
import type { Experiment } from '../experiment/Experiment.ts';
import { loadExperiment, loadMuseum } from '../experiment/load.ts';
import { planWrites } from '../experiment/plan.ts';
import { chosen, runExperiment, sizesOf } from '../experiment/run-experiment.ts';
import { isFleetScenario, runFleetScenarios } from '../fleet/fleet-run.ts';
import { FLEET_SCENARIO_NAMES } from '../fleet/fleet-scenarios.ts';
import { htmlReport } from '../report/html.ts';
import { jsonReport } from '../report/json.ts';
import { junitReport } from '../report/junit.ts';
import { isDefaultPair, kindsTable } from '../report/kinds-table.ts';
import { markdownReport } from '../report/markdown.ts';
import { ledgerNotice, protocolNotice } from '../report/protocol-notice.ts';
import { type RerunArgs, type RunMeta, rerunCommand } from '../report/rerun.ts';
import { type ChaosSentry, describeDsn, openChaosSentry } from '../report/sentry.ts';
import { verdictTable } from '../report/table.ts';
import { runSize } from '../scenarios/run-scenario.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { startToxiproxy } from '../toxiproxy/ToxiproxyServer.ts';
import { checkNames, parseRunArgs, USAGE } from './args.ts';
import { Progress } from './progress.ts';
import { describeExperiment, faultPlan, scenarioSummary } from './run-output.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The protocol probes write what the experiment's first write would be, with a fresh id each. */
function probeOf(experiment: Experiment): { path: string; body?: string } {
  const [first] = planWrites(experiment.writes, 'landed', 0, 1, 'conform').writes;
  if (!first) return { path: '/orders' };
  return {
    path: first.path,
    ...(first.body === undefined
      ? {}
      : { body: JSON.stringify(first.body).split(first.writeId).join('{{writeId}}') }),
  };
}

/**
 * The experiment with other client kinds. Write ids must still name one write each: a template
 * without `{{kind}}` is refused when several kinds would share it.
 */
function withKinds(experiment: Experiment, kinds: string[]): Experiment {
  if (kinds.length > 1 && !experiment.writes.writeId.includes('{{kind}}'))
    throw new HarnessError(
      'BAD_ARGUMENT',
      `--client-kinds ${kinds.join(',')}: the experiment's writeId template "${experiment.writes.writeId}" has no {{kind}}, so two kinds would write the same ids; add {{kind}} to it`,
    );
  return { ...experiment, kinds };
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const loaded = args.experiment ? loadExperiment(args.experiment) : loadMuseum();
  const experiment = args.clientKinds ? withKinds(loaded, args.clientKinds) : loaded;
  if (experiment.fleet !== undefined && args.fleet === undefined) {
    if (args.target)
      throw new HarnessError(
        'BAD_ARGUMENT',
        `the experiment runs a fleet of reference apps ("fleet: ${experiment.fleet}"): it cannot go with --target.`,
      );
    args.fleet = experiment.fleet;
  }
  // With --fleet, the fleet's own scenarios may be named beside the experiment's.
  const fleetNames = args.fleet
    ? args.names
      ? args.names.filter(isFleetScenario)
      : [...FLEET_SCENARIO_NAMES]
    : [];
  if (args.fleet && args.names) args.names = args.names.filter((n) => !isFleetScenario(n));
  checkNames(args.names, experiment);
  // Before anything starts: a missing peer package or a Chromium that cannot start is one line, exit 2.
  const chromium = new SharedChromium();
  await checkClientKinds(experiment.kinds, chromium);
  const scenarios = chosen(experiment, args.names);
  const one = scenarios.length === 1 ? scenarios[0] : undefined;
  const target = args.target ?? (experiment.target === 'reference' ? undefined : experiment.target);
  const progress = new Progress();
  let conformance: ConformReport | undefined;
  // Before Toxiproxy starts: a target that is down, or does not speak the protocol, is said first.
  if (target) await assertReachable(target);
  if (args.target) {
    conformance = await conform({ target: args.target, ...probeOf(experiment) });
    const failed = conformance.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    progress.line(
      conformance.refused
        ? `Protocol probes: POST ${conformance.path} was not accepted (${conformance.refused.answer?.status ?? conformance.refused.error})`
        : `Protocol probes: ${failed.length ? `failed ${failed.join(', ')}` : 'every check passed or does not apply'}`,
    );
  }
  const sizes = sizesOf(experiment, {
    clients: args.clients,
    writes: args.writes,
    runs: args.randomRuns,
    full: args.full,
  });
  const toxiproxy = await startToxiproxy({ root: ROOT, log: (l) => progress.line(l) }).catch(
    async (error: unknown) => {
      await chromium.close();
      throw error;
    },
  );
  const workDir = mkdtempSync(join(tmpdir(), 'landed-chaos-'));
  const postgresUrl =
    process.env.DATABASE_URL || (args.fleet ? process.env.LANDED_TEST_PG_URL : undefined) || undefined;
  if (args.fleet && !postgresUrl) {
    await toxiproxy.stop();
    throw new HarnessError(
      'BAD_ARGUMENT',
      'a fleet (--fleet, or "fleet:" in the experiment) needs PostgreSQL, one database for every instance: set DATABASE_URL, e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres',
    );
  }
  const database: RunMeta['database'] = target ? 'target' : postgresUrl ? 'postgres' : 'sqlite';
  const onDatabaseWait = (name: string) =>
    progress.line(`  waiting for another harness run that holds the database ${name} on this PostgreSQL`);
  progress.line(describeExperiment(experiment, sizes, target));
  progress.line(`Toxiproxy ${toxiproxy.version} at ${toxiproxy.url} · ${database} · seed ${args.seed}`);
  if (one) for (const line of faultPlan(one)) progress.line(line);
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
  const rerunArgs: RerunArgs = {
    names: [...scenarios.map((s) => s.name), ...fleetNames],
    seed: args.seed,
    clients: sizes.clients,
    writes: sizes.writes,
    randomRuns: sizes.runs,
    target: args.target,
    full: args.full,
    experiment: args.experiment,
    fleet: args.fleet,
    clientKinds: args.clientKinds,
  };
  const searches = scenarios.filter((s) => s.search).map((s) => s.name);
  const stopOnSignal = () => {
    void toxiproxy.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  try {
    let began = Date.now();
    const runs = await runExperiment(
      experiment,
      {
        toxiproxy,
        workDir,
        postgresUrl,
        target,
        sentry,
        chromium,
        fleet: args.fleet,
        onDatabaseWait,
        onProgress: (done, planned, faults) => progress.update(done, planned, faults),
        // A run of one scenario shows each fault as it starts and stops.
        onFault: (op) => {
          if (one) progress.line(`  ${((op.at - began) / 1000).toFixed(1)} s  ${op.phase} ${op.name}`);
        },
      },
      {
        names: args.names,
        clients: args.clients,
        writes: args.writes,
        runs: args.randomRuns,
        full: args.full,
        seed: args.seed,
        randomPath: args.randomPath,
        rerun: (seed, path) =>
          `${rerunCommand({ ...rerunArgs, seed, names: searches }, experiment)}${path ? ` --path ${path}` : ''}`,
        log: (l) => progress.line(l),
        onScenario: (name, i, n) => {
          began = Date.now();
          progress.scenario(name, i, n);
        },
        onResult: (run) => {
          const landed = run.verdicts.filter((v) => isLanded(v.client));
          const passed = landed.length > 0 && landed.every((v) => v.passed);
          progress.line(
            run.skipped
              ? `  ${run.name}: skipped (${run.skipped})`
              : `  ${run.name}: Landed ${passed ? 'PASS' : 'FAIL'} in ${(run.durationMs / 1000).toFixed(1)} s`,
          );
        },
      },
    );
    if (args.fleet && postgresUrl && fleetNames.length > 0)
      runs.push(
        ...(await runFleetScenarios(fleetNames, runSize(sizes.clients, sizes.writes, sizes.drainMs), {
          toxiproxy,
          workDir,
          postgresUrl,
          instances: args.fleet,
          onDatabaseWait,
          onScenario: (name, i, n) => progress.scenario(name, i, n),
          onProgress: (done, planned, faults) => progress.update(done, planned, faults),
          onResult: (run) => {
            const passed = run.verdicts.filter((v) => isLanded(v.client)).every((v) => v.passed);
            progress.line(
              `  ${run.name}: Landed ${passed ? 'PASS' : 'FAIL'} in ${(run.durationMs / 1000).toFixed(1)} s`,
            );
          },
        })),
      );
    const notice = conformance && protocolNotice(conformance);
    if (notice) process.stdout.write(`\n${notice}\n`);
    const table = isDefaultPair(experiment.kinds)
      ? verdictTable(runs, Boolean(process.stdout.isTTY))
      : kindsTable(runs, experiment.kinds);
    process.stdout.write(`\n${table}\n`);
    const payloads = args.target && ledgerNotice(runs.flatMap((r) => r.verdicts));
    if (payloads) process.stdout.write(`${payloads}\n`);
    const only = one && runs[0];
    if (only && !only.skipped) process.stdout.write(`${scenarioSummary(only).join('\n')}\n`);
    const meta: RunMeta = {
      toxiproxy: { version: toxiproxy.version, url: toxiproxy.url },
      seed: args.seed,
      database,
      argv,
      rerun: rerunCommand(rerunArgs, experiment),
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
    const landed = runs.flatMap((r) => r.verdicts.filter((v) => isLanded(v.client)));
    const failed = runs.filter((r) => r.verdicts.some((v) => isLanded(v.client) && !v.passed));
    if (failed.length) {
      process.stdout.write(
        `\nFAIL: a threshold did not hold.\nLanded did not pass: ${failed.map((r) => r.name).join(', ')} (seed ${args.seed})\nrerun: ${meta.rerun}\n`,
      );
      return 1;
    }
    process.stdout.write('\nPASS: every threshold held.\n');
    if (landed.length && landed.every((v) => VIOLATIONS.every((k) => v[k] === 0)))
      process.stdout.write('Landed: no write lost, none applied twice, none left unresolved.\n');
    return 0;
  } finally {
    process.off('SIGINT', stopOnSignal);
    await chromium.close();
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
