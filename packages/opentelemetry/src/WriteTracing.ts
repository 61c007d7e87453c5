import type {
  AttemptEnd,
  AttemptInfo,
  AttemptOutcome,
  Entry,
  EntryState,
  Transition,
  WriteObserver,
} from '@landed/client';
import type { Context, Span, TextMapPropagator, Tracer } from '@opentelemetry/api';
import { ATTR, serverAttributes } from './attributes.ts';
import type { OpenTelemetryApi } from './load-api.ts';

/** What a write span is opened with, and the context its attempts are children of. */
interface OpenWrite {
  span: Span;
  context: Context;
}

export interface WriteTracingSettings {
  api: OpenTelemetryApi;
  tracer: Tracer;
  /** `undefined`: the API's global propagator (`propagation`). */
  propagator: TextMapPropagator | undefined;
  route: (entry: Entry) => string;
}

const isTerminal = (state: EntryState | null): boolean =>
  state === 'confirmed' || state === 'rejected' || state === 'expired';

/** Attempts that did what they were for: the write landed, or the lookup learnt what became of the key. */
const FINE: ReadonlySet<AttemptOutcome> = new Set(['confirmed', 'found', 'never-seen', 'in-progress']);

/**
 * The client's observer that makes the spans: one per write, from its acceptance to its final outcome,
 * and a child per attempt (send or lookup) that carries the trace context on the request. A write
 * accepted inside an active span is that span's child. A write this process did not accept (resumed
 * from the store after a restart, taken over from another tab) gets a write span at its first attempt
 * here, under the span it was written in (its stamp, `entry.trace`), or in a new trace without one.
 */
export class WriteTracing implements WriteObserver {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer;
  readonly #propagator: TextMapPropagator | undefined;
  readonly #route: (entry: Entry) => string;
  readonly #writes = new Map<string, OpenWrite>();
  readonly #attempts = new WeakMap<AttemptInfo, Span>();

  constructor(settings: WriteTracingSettings) {
    this.#api = settings.api;
    this.#tracer = settings.tracer;
    this.#propagator = settings.propagator;
    this.#route = settings.route;
  }

  /**
   * The trace context of the span active as the app writes (`traceparent` and the like, as the
   * propagator writes them; never `baggage`, which may carry the app's data), kept with the entry
   * (`entry.trace`) so that wherever the write is sent it joins that trace.
   */
  stamp(): string | undefined {
    const active = this.#api.context.active();
    if (!this.#api.trace.getSpan(active)) return undefined;
    const { baggage: _baggage, ...carrier } = this.#inject(active);
    for (const _ in carrier) return JSON.stringify(carrier);
    return undefined;
  }

  transition({ entry, from, to }: Transition): void {
    if (isTerminal(to)) {
      const write = this.#writes.get(entry.id);
      if (write) this.#finish(entry.id, write, entry, to);
    } else if ((from === null || isTerminal(from)) && !this.#writes.has(entry.id)) {
      // Accepted, or replayed by a person after its outcome: a new write span either way.
      this.#open(entry, this.#api.context.active(), from !== null);
    }
  }

  removed(entryIds: readonly string[]): void {
    for (const id of entryIds) {
      const write = this.#writes.get(id);
      if (!write) continue;
      write.span.setAttribute(ATTR.outcome, 'removed');
      write.span.end();
      this.#writes.delete(id);
    }
  }

  attemptStart(attempt: AttemptInfo): Record<string, string> | undefined {
    const { entry } = attempt;
    // Not accepted here: the context active now is whichever call woke the sender, not this write's;
    // the trace the app wrote in is the one stamped on the entry, if any.
    const write = this.#writes.get(entry.id) ?? this.#open(entry, this.#stamped(entry), false);
    const route = attempt.kind === 'lookup' ? lookupRoute(attempt) : this.#route(entry);
    const attributes = {
      [ATTR.method]: attempt.method,
      [ATTR.route]: route,
      ...serverAttributes(attempt.url),
      [ATTR.attempt]: attempt.attempt,
      [ATTR.attemptKind]: attempt.kind,
      [ATTR.entryId]: entry.id,
      ...(attempt.kind === 'send' && attempt.attempt > 1 ? { [ATTR.resendCount]: attempt.attempt - 1 } : {}),
    };
    const span = this.#tracer.startSpan(
      `${attempt.method} ${route}`,
      { kind: this.#api.SpanKind.CLIENT, attributes },
      write.context,
    );
    this.#attempts.set(attempt, span);
    const carrier = this.#inject(this.#api.trace.setSpan(write.context, span));
    for (const _ in carrier) return carrier;
    return undefined;
  }

  #inject(context: Context): Record<string, string> {
    const carrier: Record<string, string> = {};
    if (this.#propagator) this.#propagator.inject(context, carrier, this.#api.defaultTextMapSetter);
    else this.#api.propagation.inject(context, carrier);
    return carrier;
  }

  /** The context of the span the entry was written under (see `stamp`), or a new trace. */
  #stamped(entry: Entry): Context {
    const root = this.#api.ROOT_CONTEXT;
    let carrier: unknown;
    try {
      carrier = typeof entry.trace === 'string' ? JSON.parse(entry.trace) : undefined;
    } catch {
      return root;
    }
    if (typeof carrier !== 'object' || carrier === null) return root;
    return this.#propagator
      ? this.#propagator.extract(root, carrier, this.#api.defaultTextMapGetter)
      : this.#api.propagation.extract(root, carrier);
  }

  attemptEnd(attempt: AttemptInfo, end: AttemptEnd): void {
    const span = this.#attempts.get(attempt);
    if (!span) return;
    this.#attempts.delete(attempt);
    span.setAttribute(ATTR.outcome, end.outcome);
    span.setAttribute(ATTR.replayed, end.replayed);
    if (end.status !== undefined) span.setAttribute(ATTR.status, end.status);
    if (end.code !== undefined) span.setAttribute(ATTR.errorType, end.code);
    if (!FINE.has(end.outcome))
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: end.code ?? end.outcome });
    span.end();
  }

  #open(entry: Entry, parent: Context, replay: boolean): OpenWrite {
    const attributes = {
      [ATTR.method]: entry.method,
      [ATTR.route]: this.#route(entry),
      ...serverAttributes(entry.url),
      [ATTR.entryId]: entry.id,
      [ATTR.lane]: entry.lane,
      ...(replay ? { [ATTR.replay]: true } : {}),
    };
    const span = this.#tracer.startSpan(
      `landed.write ${entry.method} ${attributes[ATTR.route]}`,
      { kind: this.#api.SpanKind.INTERNAL, attributes },
      parent,
    );
    const write = { span, context: this.#api.trace.setSpan(parent, span) };
    this.#writes.set(entry.id, write);
    return write;
  }

  #finish(id: string, write: OpenWrite, entry: Entry, to: EntryState): void {
    const { span } = write;
    const outcome = entry.outcome;
    span.setAttribute(ATTR.outcome, to);
    span.setAttribute(ATTR.attempts, entry.attempts);
    if (outcome?.status !== undefined) span.setAttribute(ATTR.status, outcome.status);
    if (outcome?.replayed !== undefined) span.setAttribute(ATTR.replayed, outcome.replayed);
    if (to !== 'confirmed') {
      // The stable code, not the reason: a reason may quote what an app's `fetch` threw.
      const code = entry.lastError?.code;
      if (code !== undefined) span.setAttribute(ATTR.errorType, code);
      span.setStatus({
        code: this.#api.SpanStatusCode.ERROR,
        message: code === undefined ? to : `${to}: ${code}`,
      });
    }
    span.end();
    this.#writes.delete(id);
  }
}

/** A lookup asks for `{lookupPath}/{key}`: the key is an id, so the route names it `{key}`. */
function lookupRoute(attempt: AttemptInfo): string {
  let path: string;
  try {
    path = new URL(attempt.url).pathname;
  } catch {
    return '/{key}';
  }
  const key = `/${encodeURIComponent(attempt.entry.key)}`;
  return path.endsWith(key) ? `${path.slice(0, -key.length)}/{key}` : path;
}
