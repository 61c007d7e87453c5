/**
 * A `fetch` over `node:http` with an agent the harness owns. Each scenario gets a fresh agent, so a
 * pooled keep-alive socket opened under one scenario's toxics never carries them into the next one
 * (the global fetch pool cannot be swapped without undici).
 */
import { type Agent, request as httpRequest } from 'node:http';

export function agentFetch(agent: Agent): typeof fetch {
  return async function harnessFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const req = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? req.signal;
    signal?.throwIfAborted();
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const url = new URL(req.url);
      const outgoing = httpRequest(
        {
          agent,
          method: req.method,
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (c: Buffer) => chunks.push(c));
          incoming.on('error', (e) => reject(networkError(e)));
          incoming.on('aborted', () =>
            reject(networkError(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }))),
          );
          incoming.on('end', () => {
            if (!incoming.complete) {
              reject(networkError(Object.assign(new Error('response truncated'), { code: 'ECONNRESET' })));
              return;
            }
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
              else if (value !== undefined) responseHeaders.set(name, value);
            }
            const status = incoming.statusCode ?? 0;
            const nullBody = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }),
            );
          });
        },
      );
      outgoing.on('error', (e) => reject(networkError(e)));
      const onAbort = () => {
        outgoing.destroy();
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('close', () => signal?.removeEventListener('abort', onAbort));
      outgoing.end(body);
    });
  };
}

/** The shape the global fetch rejects with: a TypeError whose `cause` carries the socket error code. */
function networkError(cause: Error): TypeError {
  return new TypeError('fetch failed', { cause });
}
