/** Express, Fastify and Hono versions of the test app: the same business route behind each adapter. */
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  idempotencyContext as expressContext,
  idempotencyMiddleware as expressIdempotency,
} from '../../src/adapter/express/index.ts';
import { idempotencyContext as fastifyContext, fastifyIdempotency } from '../../src/adapter/fastify/index.ts';
import {
  idempotencyContext as honoContext,
  idempotencyMiddleware as honoIdempotency,
} from '../../src/adapter/hono/index.ts';
import type { Idempotency, IdempotencyOptions } from '../../src/index.ts';
import { type AdapterKind, type AppHooks, placeOrder } from './app.ts';
import type { Business } from './business.ts';

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function startFramework(
  adapter: AdapterKind,
  _options: IdempotencyOptions<unknown>,
  core: Idempotency<unknown>,
  business: Business,
  hooks: AppHooks,
): Promise<Server> {
  if (adapter === 'express') {
    const app = express();
    app.use(expressIdempotency(core));
    app.use(async (req, res) => {
      const ctx = expressContext(req);
      const result = await placeOrder(business, hooks, ctx.tx, ctx.scope, ctx.key, req.body);
      res
        .status(result.status)
        .set(result.headers ?? {})
        .json(result.body);
    });
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: 'internal' });
    });
    return listen(createServer(app));
  }
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(fastifyIdempotency(core));
    app.route({
      method: ['POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/*',
      handler: async (request, reply) => {
        const ctx = fastifyContext(request);
        const result = await placeOrder(business, hooks, ctx.tx, ctx.scope, ctx.key, request.body);
        return reply
          .code(result.status)
          .headers(result.headers ?? {})
          .send(result.body);
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }
  const app = new Hono();
  app.use(honoIdempotency(core));
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', async (c) => {
    const ctx = honoContext(c);
    const result = await placeOrder(
      business,
      hooks,
      ctx.tx,
      ctx.scope,
      ctx.key,
      await c.req.json().catch(() => undefined),
    );
    return c.json(result.body as object, result.status as 201, result.headers ?? {});
  });
  app.onError((_error, c) => c.json({ error: 'internal' }, 500));
  return listen(createServer(getRequestListener(app.fetch)));
}
