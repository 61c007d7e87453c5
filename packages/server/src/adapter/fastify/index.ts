/**
 * `@landed/server/fastify`: the protocol as a Fastify plugin, in front of existing routes. It takes
 * over body parsing (it reads up to `maxBodyBytes` and parses JSON itself, so the fingerprint sees the
 * exact body), registers the lookup route, and for each keyed write runs the route inside the store's
 * transaction: the route writes through `idempotencyContext(request).tx`, its reply is stored with the
 * key, then sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Idempotency } from '../../core/create-idempotency.ts';
import type { IdempotencyOptions } from '../../core/options.ts';
import type {
  HandlerContext,
  HandlerResult,
  IdempotentRequest,
  IdempotentResponse,
} from '../../core/types.ts';
import { abortOnFault } from '../abort-on-fault.ts';
import { getContext, setContext } from '../context.ts';
import { readBody } from '../read-body.ts';
import { resolveCore } from '../resolve-core.ts';

export type FastifyIdempotency = ((fastify: FastifyInstance) => Promise<void>) & {
  readonly idempotency: Idempotency<unknown>;
};

/** The transaction, key and scope of the current keyed write (throws outside one). */
export function idempotencyContext<Tx>(request: FastifyRequest): HandlerContext<Tx> {
  return getContext<Tx>(request, 'idempotencyContext(request)');
}

interface Pending {
  captured: (result: HandlerResult) => void;
  done: Promise<IdempotentResponse>;
  answered: boolean;
}

const raw = new WeakMap<object, { body: Uint8Array; tooLarge: boolean }>();
const pending = new WeakMap<object, Pending>();

function reply(res: FastifyReply, response: IdempotentResponse): FastifyReply {
  for (const name of Object.keys(res.getHeaders())) res.removeHeader(name);
  return res.code(response.status).headers(response.headers);
}

export function fastifyIdempotency<Tx>(
  options: IdempotencyOptions<Tx> | Idempotency<Tx>,
): FastifyIdempotency {
  const core = resolveCore(options);

  const plugin = async function landedIdempotency(fastify: FastifyInstance): Promise<void> {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (request, payload, done) => {
      readBody(payload, core.maxBodyBytes).then(({ raw: body, tooLarge }) => {
        raw.set(request, { body, tooLarge });
        let parsed: unknown;
        try {
          parsed = body.byteLength ? JSON.parse(Buffer.from(body).toString('utf8')) : undefined;
        } catch {}
        done(null, parsed);
      }, done);
    });

    if (core.lookupPath !== null) {
      fastify.get(`${core.lookupPath}/*`, async (request, res) => {
        const response = await core.handle(
          { method: 'GET', path: request.url, headers: request.headers, native: request },
          () => {
            throw new Error('unreachable: a lookup never runs a handler');
          },
        );
        return reply(res, response).send(response.body);
      });
    }

    fastify.addHook('preHandler', async (request, res) => {
      if (!core.isWrite(request.method)) return;
      if ((request.routeOptions.config as { idempotency?: boolean } | undefined)?.idempotency === false)
        return;
      const body = raw.get(request);
      const input: IdempotentRequest = {
        method: request.method,
        path: request.url,
        headers: request.headers,
        native: request,
      };
      if (body) {
        input.rawBody = body.body;
        input.bodyTooLarge = body.tooLarge;
      } else if (request.body !== undefined) input.body = request.body;
      let started!: (ctx: HandlerContext<Tx>) => void;
      const running = new Promise<HandlerContext<Tx>>((resolve) => {
        started = resolve;
      });
      let captured!: (result: HandlerResult) => void;
      const result = new Promise<HandlerResult>((resolve) => {
        captured = resolve;
      });
      const done = core.handle(input, (ctx) => {
        started(ctx);
        return result;
      });
      done.catch(() => {});
      const state: Pending = { captured, done, answered: false };
      pending.set(request, state);
      const first = await Promise.race([
        running.then((ctx) => ({ ctx })),
        done.then((response) => ({ response })),
      ]).catch((error: unknown) => ({ error }));
      if ('error' in first) {
        state.answered = true;
        abortOnFault(first.error, () => res.raw.destroy());
        throw first.error;
      }
      if ('response' in first) {
        // Answered without the route: a replay, 409, 422, 400 …
        state.answered = true;
        return reply(res, first.response).send(first.response.body);
      }
      setContext(request, first.ctx as HandlerContext<unknown>);
      request.body = first.ctx.body;
    });

    fastify.addHook('onSend', async (request, res, payload) => {
      const state = pending.get(request);
      if (!state || state.answered) return payload;
      state.answered = true;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const text =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      state.captured({ status: res.statusCode, headers, body: text });
      let response: IdempotentResponse;
      try {
        response = await state.done;
      } catch (error) {
        abortOnFault(error, () => res.raw.destroy());
        throw error;
      }
      reply(res, response);
      return response.body;
    });
  };
  // Like fastify-plugin: the hooks and parsers apply to the app that registers it, not a child scope.
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'landed-idempotency',
  });
  return Object.assign(plugin, { idempotency: core as Idempotency<unknown> }) as FastifyIdempotency;
}
