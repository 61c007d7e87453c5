/**
 * `@landed/server/express`: the protocol in front of existing Express 5 routes. Mount it before the
 * routes (and before `express.json()`: it reads and parses the body itself, then sets `req.body`). A
 * route writes through `idempotencyContext(req).tx`; its answer is captured, stored with the key in the
 * same transaction, and then sent.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
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

export type ExpressIdempotency = RequestHandler & { readonly idempotency: Idempotency<unknown> };

/** The transaction, key and scope of the current keyed write (throws outside one). */
export function idempotencyContext<Tx>(req: Request): HandlerContext<Tx> {
  return getContext<Tx>(req, 'idempotencyContext(req)');
}

function send(res: Response, response: IdempotentResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** Buffers what the route writes instead of sending it, until the core has committed. */
function capture(res: Response): { result: Promise<HandlerResult>; restore(): void } {
  const original = { write: res.write, end: res.end, writeHead: res.writeHead };
  const chunks: Buffer[] = [];
  const toBuffer = (chunk: unknown, encoding?: unknown) =>
    Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  let finish!: (result: HandlerResult) => void;
  const result = new Promise<HandlerResult>((resolve) => {
    finish = resolve;
  });
  res.writeHead = function capturedWriteHead(this: Response, status: number, ...rest: unknown[]) {
    this.statusCode = status;
    const headers = rest.find((r) => typeof r === 'object' && r !== null) as
      | Record<string, string>
      | undefined;
    for (const [name, value] of Object.entries(headers ?? {})) this.setHeader(name, value);
    return this;
  } as Response['writeHead'];
  res.write = function capturedWrite(chunk: unknown, encoding?: unknown) {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
      chunks.push(toBuffer(chunk, encoding));
    return true;
  } as Response['write'];
  res.end = function capturedEnd(this: Response, chunk?: unknown, encoding?: unknown) {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
      chunks.push(toBuffer(chunk, encoding));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.getHeaders())) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    finish({ status: this.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') });
    return this;
  } as Response['end'];
  return {
    result,
    restore() {
      Object.assign(res, original);
    },
  };
}

export function idempotencyMiddleware<Tx>(
  options: IdempotencyOptions<Tx> | Idempotency<Tx>,
): ExpressIdempotency {
  const core = resolveCore(options);
  const middleware = async function landedIdempotency(
    req: Request,
    res: Response,
    next: NextFunction,
  ): Promise<void> {
    const path = req.originalUrl;
    const lookup = core.isLookup({ method: req.method, path });
    if (!lookup && !core.isWrite(req.method)) return next();
    const request: IdempotentRequest = { method: req.method, path, headers: req.headers, native: req };
    if (req.body !== undefined) request.body = req.body;
    else if (!req.readableEnded) {
      const { raw, tooLarge } = await readBody(req, core.maxBodyBytes);
      request.rawBody = raw;
      request.bodyTooLarge = tooLarge;
    }
    let captured: ReturnType<typeof capture> | undefined;
    try {
      const response = await core.handle(request, (ctx) => {
        setContext(req, ctx as HandlerContext<unknown>);
        req.body = ctx.body;
        captured = capture(res);
        next();
        return captured.result;
      });
      captured?.restore();
      send(res, response);
    } catch (error) {
      captured?.restore();
      if (!abortOnFault(error, () => res.destroy())) next(error);
    }
  };
  return Object.assign(middleware, { idempotency: core as Idempotency<unknown> }) as ExpressIdempotency;
}
