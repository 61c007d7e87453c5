/**
 * `@landed/server/hono`: the protocol as a Hono middleware, in front of existing routes. A route
 * writes through `c.get('landed').tx` (or `idempotencyContext(c)`); its response is stored with the key
 * in the same transaction, then answered.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Idempotency } from '../../core/create-idempotency.ts';
import type { IdempotencyOptions } from '../../core/options.ts';
import type { HandlerContext, IdempotentRequest, IdempotentResponse } from '../../core/types.ts';
import { abortOnFault } from '../abort-on-fault.ts';
import { getContext, setContext } from '../context.ts';
import { resolveCore } from '../resolve-core.ts';

export type HonoIdempotency = MiddlewareHandler & { readonly idempotency: Idempotency<unknown> };

/** The transaction, key and scope of the current keyed write (throws outside one). */
export function idempotencyContext<Tx>(c: Context): HandlerContext<Tx> {
  return getContext<Tx>(c, 'idempotencyContext(c)');
}

function toResponse(response: IdempotentResponse): Response {
  const empty = response.body === '' || response.status === 204 || response.status === 304;
  return new Response(empty ? null : response.body, { status: response.status, headers: response.headers });
}

export function idempotencyMiddleware<Tx>(
  options: IdempotencyOptions<Tx> | Idempotency<Tx>,
): HonoIdempotency {
  const core = resolveCore(options);
  const middleware: MiddlewareHandler = async function landedIdempotency(c, next) {
    const url = new URL(c.req.url);
    const path = url.pathname + url.search;
    const lookup = core.isLookup({ method: c.req.method, path });
    if (!lookup && !core.isWrite(c.req.method)) return next();
    const request: IdempotentRequest = { method: c.req.method, path, headers: c.req.raw.headers, native: c };
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > core.maxBodyBytes) request.bodyTooLarge = true;
    // Read through Hono so the route can still call c.req.json() (the body is cached).
    else if (!lookup) request.rawBody = new Uint8Array(await c.req.arrayBuffer());
    let response: IdempotentResponse;
    try {
      response = await core.handle(request, async (ctx) => {
        setContext(c, ctx as HandlerContext<unknown>);
        c.set('landed' as never, ctx as never);
        await next();
        const res = c.res;
        return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
      });
    } catch (error) {
      // On @hono/node-server the socket is reachable; elsewhere the thrown error fails the request.
      abortOnFault(error, () =>
        (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket?.destroy(),
      );
      throw error;
    }
    // Clear first: Hono merges the previous response's headers into a new one.
    c.res = undefined as unknown as Response;
    c.res = toResponse(response);
  };
  return Object.assign(middleware, { idempotency: core as Idempotency<unknown> }) as HonoIdempotency;
}
