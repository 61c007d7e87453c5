/**
 * `@landed/server/node-http`: the protocol in front of a plain `node:http` handler.
 *
 *   createServer(withIdempotency({ store, scope }, async ({ tx, body }) => ({ status: 201, body: … })))
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Idempotency } from '../../core/create-idempotency.ts';
import type { IdempotencyOptions } from '../../core/options.ts';
import type { Handler, IdempotentResponse } from '../../core/types.ts';
import { abortOnFault } from '../abort-on-fault.ts';
import { readBody } from '../read-body.ts';
import { resolveCore } from '../resolve-core.ts';

export type NodeListener = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** The core behind the listener: `faults`, `lookup()`, `reap()`, `close()`. */
  readonly idempotency: Idempotency<unknown>;
};

/** Writes a core response; used by every Node-based adapter. */
export function sendNodeResponse(res: ServerResponse, response: IdempotentResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/**
 * Wraps `handler` so every keyed write runs once. Takes options (a new core) or a core built with
 * `createIdempotency()` (to share one between routes, or reach `faults`). `maxBodyBytes` is read from
 * the core unless `limits` overrides it.
 */
export function withIdempotency<Tx>(
  options: IdempotencyOptions<Tx> | Idempotency<Tx>,
  handler: Handler<Tx>,
  limits: { maxBodyBytes?: number } = {},
): NodeListener {
  const core = resolveCore(options);
  const maxBodyBytes = limits.maxBodyBytes ?? core.maxBodyBytes;
  const listener = function landedIdempotency(req: IncomingMessage, res: ServerResponse): void {
    void (async () => {
      const { raw, tooLarge } = await readBody(req, maxBodyBytes);
      const response = await core.handle(
        {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          rawBody: raw,
          bodyTooLarge: tooLarge,
          native: req,
        },
        handler,
      );
      sendNodeResponse(res, response);
    })().catch((error: unknown) => {
      if (abortOnFault(error, () => res.destroy())) return;
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end(
          JSON.stringify({
            type: 'about:blank',
            title: 'Internal error',
            status: 500,
            detail: 'The request failed.',
            code: 'handler-failed',
          }),
        );
      } else res.destroy();
    });
  };
  return Object.assign(listener, { idempotency: core as Idempotency<unknown> });
}
