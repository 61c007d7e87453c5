/**
 * A client under test as its own process, so the client-kill scenario can SIGKILL it mid-flight and
 * start it again. Configured by `LANDED_CHAOS_CHILD` (JSON, see ChildSpec). Writes History ops as
 * `OP {json}` lines on stdout, `READY` once it is set up and starts its workload, and `DONE` once every
 * write it knows of has its final answer.
 * A restarted Landed child resumes from its file outbox; a restarted naive (or ky peer) child has
 * nothing to resume: what it held in memory, keys included, died with it.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import type { Op } from '../checker/history.ts';
import { openChaosSentry } from '../report/sentry.ts';
import { agentFetch } from './agent-fetch.ts';
import { SharedChromium } from './browser/chromium.ts';
import { clientKind } from './kinds.ts';
import { LandedRunner } from './LandedRunner.ts';
import type { PlannedWrite } from './workload.ts';

export interface ChildSpec {
  /** `landed`, or a Node kind of the registry (`naive`, the ky peers). */
  kind: string;
  instance: number;
  baseUrl: string;
  /** The Landed file outbox. */
  dir: string;
  /** A JSON file with this client's planned writes (`experiment/plan.ts`). */
  planFile: string;
  spreadMs: number;
  drainMs: number;
  /** File listing write ids the parent already saw accepted (one per line). */
  skipFile?: string;
  /** Report the Landed writes that need a person to Sentry (the run's `SENTRY_DSN` and tags). */
  sentry?: { dsn: string; tags: Record<string, string> };
}

const spec = JSON.parse(process.env.LANDED_CHAOS_CHILD ?? '{}') as ChildSpec;
const record = (op: Op) => process.stdout.write(`OP ${JSON.stringify(op)}\n`);
const fetch = agentFetch(new Agent({ keepAlive: true }));
const plan = JSON.parse(readFileSync(spec.planFile, 'utf8')) as PlannedWrite[];
const skip = new Set(spec.skipFile ? readFileSync(spec.skipFile, 'utf8').split('\n').filter(Boolean) : []);

if (spec.kind === 'landed') {
  const { fileStore } = await import('@landed/client/node');
  const sentry = spec.sentry ? await openChaosSentry(spec.sentry) : undefined;
  const runner = new LandedRunner({
    instance: spec.instance,
    baseUrl: spec.baseUrl,
    record,
    fetch,
    store: fileStore({ dir: spec.dir }),
    ...(sentry ? { client: { reporter: sentry.reporter({}) } } : {}),
  });
  for (const id of await runner.adoptOutbox()) skip.add(id);
  process.stdout.write('READY\n');
  await runner.run(
    plan.filter((w) => !skip.has(w.writeId)),
    spec.spreadMs,
  );
  await runner.drain(spec.drainMs);
  await runner.close();
  await sentry?.close();
} else {
  const runner = await clientKind(spec.kind).create({
    instance: spec.instance,
    baseUrl: spec.baseUrl,
    record,
    fetch,
    chromium: new SharedChromium(),
    origin: () => Promise.reject(new Error('a client process has no page origin')),
  });
  process.stdout.write('READY\n');
  await runner.run(
    plan.filter((w) => !skip.has(w.writeId)),
    spec.spreadMs,
  );
  await runner.drain(spec.drainMs);
  await runner.close();
}
process.stdout.write('DONE\n', () => process.exit(0));
