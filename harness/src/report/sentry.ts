/**
 * Reporting a chaos run to Sentry (`SENTRY_DSN`): every Landed write that needed a person (refused,
 * expired, uncertain too long) goes through `@landed/sentry`'s reporter — the same one apps use — and
 * every violation the Checker finds becomes an event of its own. The Sentry client is the server
 * runtime client of `@sentry/core` with a `fetch` transport, so it runs in Node (and in the client
 * processes the Nemesis kills). Events carry tags and write ids, never a request body, credential
 * header or cookie: `@landed/sentry` scrubs its own events and `landedBeforeSend` runs on all of them.
 */
import type { Reporter } from '@landed/client';
import { landedBeforeSend, type SentryEventLike, type SentryTarget, sentryReporter } from '@landed/sentry';
import type { BaseTransportOptions, Client, Event, TransportMakeRequestResponse } from '@sentry/core';
import type { Violation, ViolationFound } from '../checker/check.ts';
import { HarnessError } from '../toxiproxy/errors.ts';

export interface ChaosSentryOptions {
  dsn: string;
  /** Tags every event carries (`chaos.run`, `chaos.seed`, `chaos.database`, …). */
  tags?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A violation with what a person needs to find it again. */
export interface ViolationReport extends ViolationFound {
  scenario: string;
  /** The fault schedule as the report prints it, e.g. `15%–40% timeout downstream timeout=400`. */
  faults: readonly string[];
}

export interface ChaosSentry {
  /** What a client process needs to open its own (DSN and tags). */
  readonly settings: { dsn: string; tags: Record<string, string> };
  /** A Landed `Reporter` (for `createClient({ reporter })`) whose events also carry `tags`. */
  reporter(tags: Record<string, string>): Reporter;
  /** Sends one violation as one event. */
  violation(found: ViolationReport): void;
  /** Violation events handed to Sentry so far. */
  readonly violations: number;
  /** Waits until everything captured so far was sent (or `timeoutMs` passed). */
  flush(timeoutMs?: number): Promise<boolean>;
  close(timeoutMs?: number): Promise<boolean>;
}

const WHAT: Record<Violation, string> = {
  lost: 'a write was accepted and never applied, and nobody was told',
  duplicated: 'a write was applied more than once',
  unexpected: 'the ledger holds a row no write accounts for',
  phantom: 'a write was reported as not applied but was applied',
  wrongPayload: 'the ledger holds another payload than the one written',
  inconsistentReplay: 'the server gave two different answers for one write',
  unresolved: 'a write had no final answer when the run ended',
};

/** `https://key@host/42` → `host, project 42`: where events go, without the key. */
export function describeDsn(dsn: string): string {
  if (!URL.canParse(dsn)) return 'an unparsable SENTRY_DSN';
  const url = new URL(dsn);
  return `${url.host}, project ${url.pathname.split('/').filter(Boolean).at(-1) ?? '?'}`;
}

export async function openChaosSentry({
  dsn,
  tags = {},
  fetch: send = globalThis.fetch,
}: ChaosSentryOptions): Promise<ChaosSentry> {
  let sentry: typeof import('@sentry/core');
  let server: typeof import('@sentry/core/server');
  try {
    sentry = await import('@sentry/core');
    server = await import('@sentry/core/server');
  } catch (cause) {
    throw new HarnessError(
      'SENTRY_UNAVAILABLE',
      'SENTRY_DSN is set but @sentry/core is not installed (it is a devDependency of the repository root: run npm ci).',
      { cause },
    );
  }
  if (!sentry.makeDsn(dsn))
    throw new HarnessError(
      'BAD_ARGUMENT',
      'SENTRY_DSN is not a Sentry DSN: expected https://<public key>@<host>/<project id>.',
    );
  const transport = (options: BaseTransportOptions) =>
    sentry.createTransport(options, async ({ body }): Promise<TransportMakeRequestResponse> => {
      const response = await send(options.url, {
        method: 'POST',
        body: typeof body === 'string' ? body : new Uint8Array(body),
        ...(options.headers ? { headers: options.headers } : {}),
      });
      await response.arrayBuffer().catch(() => undefined);
      return {
        statusCode: response.status,
        headers: {
          'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
          'retry-after': response.headers.get('retry-after'),
        },
      };
    });
  const client: Client = new server.ServerRuntimeClient({
    dsn,
    transport,
    // A run can find many violations at once; Sentry's own rate limits still apply.
    transportOptions: { bufferSize: 1_000 },
    stackParser: sentry.createStackParser(),
    integrations: [],
    platform: 'node',
    runtime: { name: 'node', version: process.version },
    environment: 'chaos',
    sendDefaultPii: false,
    sendClientReports: false,
    beforeSend: (event) => landedBeforeSend(event as SentryEventLike) as typeof event,
  });
  client.init();
  const tagged = (event: Event, extra: Record<string, string>): Event => {
    event.tags = { ...event.tags, ...tags, ...extra };
    return event;
  };
  let processorAdded = false;
  let violations = 0;

  return {
    settings: { dsn, tags },
    reporter(extra) {
      // The reporter registers its scrubbing processor on the client once; every reporter shares it.
      const target: SentryTarget = {
        captureEvent: (event, hint) => client.captureEvent(tagged(event as Event, extra), hint as never),
        addEventProcessor(processor) {
          if (processorAdded) return;
          processorAdded = true;
          client.addEventProcessor(processor as never);
        },
      };
      return sentryReporter({ client: target });
    },
    violation(found) {
      violations++;
      const context: Record<string, unknown> = {
        scenario: found.scenario,
        client: found.client,
        writeId: found.writeId,
        violation: found.kind,
        ledgerRows: found.rows,
        faults: found.faults,
      };
      if (found.verdict !== undefined) context.verdict = found.verdict;
      client.captureEvent(
        tagged(
          {
            level: 'error',
            message: `Landed chaos: ${WHAT[found.kind]}: ${found.writeId} (${found.scenario})`,
            contexts: { chaos: context },
            // One issue per scenario and kind of violation, with one event per write.
            fingerprint: ['landed-chaos', found.scenario, found.kind],
          },
          {
            'chaos.scenario': found.scenario,
            'chaos.client': found.client,
            'chaos.violation': found.kind,
            'chaos.verdict': found.verdict ?? 'none',
          },
        ),
      );
    },
    get violations() {
      return violations;
    },
    flush: (timeoutMs = 5_000) => Promise.resolve(client.flush(timeoutMs)),
    close: (timeoutMs = 5_000) => Promise.resolve(client.close(timeoutMs)),
  };
}
