import type { ClientOptions } from '../types/client.ts';
import type { Clock, OnlineSignal } from '../types/runtime.ts';
import { DEFAULT_LOOKUP_PATH } from './protocol.ts';
import { alwaysOnline, realClock } from './runtime-defaults.ts';
import type { SchedulerSettings } from './Scheduler.ts';

/** The options with their defaults filled in (docs/client.md lists them), as the core's parts read them. */
export interface ClientSettings {
  clock: Clock;
  online: OnlineSignal;
  scheduler: SchedulerSettings;
  maxBodyBytes: number;
  keepConfirmedMs: number;
  retryBudget: { capacity: number; refillPerSec: number };
  uncertainReportAfterMs: number;
}

export function resolveSettings(options: ClientOptions): ClientSettings {
  const clock = options.clock ?? realClock;
  const online = options.online ?? alwaysOnline;
  return {
    clock,
    online,
    scheduler: {
      fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
      platformFetch: options.fetch === undefined,
      clock,
      timeoutMs: options.timeoutMs ?? 10_000,
      keyFormat: options.keyFormat ?? 'quoted',
      headers: options.headers,
      lookupPath: options.lookupPath === undefined ? DEFAULT_LOOKUP_PATH : options.lookupPath,
      observer: options.observer,
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffCapMs: options.backoffCapMs ?? 30_000,
      attemptsPerFlush: options.attemptsPerFlush ?? 8,
      concurrency: options.concurrency ?? 64,
      adaptiveConcurrency: options.concurrencyControl !== 'fixed',
      retentionSec: options.retentionSec ?? 86_400,
      retentionMarginSec: options.retentionMarginSec,
      refreshAuth: options.refreshAuth,
      random: options.random ?? Math.random,
      online,
      burstHoldMs: options.burstHoldMs ?? 0,
    },
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    keepConfirmedMs: options.keepConfirmedMs ?? 86_400_000,
    retryBudget: {
      capacity: options.retryBudget?.capacity ?? 50,
      refillPerSec: options.retryBudget?.refillPerSec ?? 5,
    },
    uncertainReportAfterMs: options.uncertainReportAfterMs ?? 300_000,
  };
}
