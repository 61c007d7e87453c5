import { LandedError } from '../errors/LandedError.ts';
import type { ClientOptions, WriteRequest } from '../types/client.ts';
import type { WriteMethod } from '../types/entry.ts';

const METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Credentials are read per attempt from `headers()`; persisting them would leak them into the outbox and logs. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** The client owns these: an app value would break the protocol. */
const RESERVED_HEADERS = new Set([
  'idempotency-key',
  'landed-attempt',
  'landed-first-sent',
  'content-length',
]);

export interface ValidWrite {
  method: WriteMethod;
  url: string;
  body: string | undefined;
  lane: string;
  headers: Record<string, string> | undefined;
  label: string | undefined;
}

function positive(name: string, value: number | undefined, allowZero = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new LandedError(
      'INVALID_OPTIONS',
      `createClient(): \`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${String(value)}`,
    );
  }
}

export function validateOptions(options: ClientOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new LandedError(
      'INVALID_OPTIONS',
      'createClient() needs an options object with at least a `store`',
    );
  }
  const store = options.store as Partial<ClientOptions['store']> | undefined;
  if (!store || typeof store.commit !== 'function' || typeof store.load !== 'function') {
    throw new LandedError(
      'INVALID_OPTIONS',
      'createClient(): `store` must be an outbox store (memoryStore(), fileStore() from @landed/client/node, localforageStore() from @landed/client/browser)',
    );
  }
  if (options.baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new LandedError(
        'INVALID_OPTIONS',
        `createClient(): \`baseUrl\` is not a URL: ${JSON.stringify(options.baseUrl)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new LandedError(
        'INVALID_OPTIONS',
        `createClient(): \`baseUrl\` must be http(s), got ${url.protocol}`,
      );
    }
  }
  if (options.keyFormat !== undefined && options.keyFormat !== 'quoted' && options.keyFormat !== 'unquoted') {
    throw new LandedError('INVALID_OPTIONS', "createClient(): `keyFormat` must be 'quoted' or 'unquoted'");
  }
  positive('timeoutMs', options.timeoutMs);
  positive('backoffBaseMs', options.backoffBaseMs);
  positive('backoffCapMs', options.backoffCapMs);
  positive('attemptsPerFlush', options.attemptsPerFlush);
  positive('concurrency', options.concurrency);
  positive('burstHoldMs', options.burstHoldMs, true);
  if (
    options.concurrencyControl !== undefined &&
    options.concurrencyControl !== 'adaptive' &&
    options.concurrencyControl !== 'fixed'
  ) {
    throw new LandedError(
      'INVALID_OPTIONS',
      "createClient(): `concurrencyControl` must be 'adaptive' or 'fixed'",
    );
  }
  positive('maxBodyBytes', options.maxBodyBytes);
  positive('retentionSec', options.retentionSec);
  positive('retentionMarginSec', options.retentionMarginSec, true);
  positive('uncertainReportAfterMs', options.uncertainReportAfterMs);
  positive('keepConfirmedMs', options.keepConfirmedMs, true);
  if (options.retryBudget !== undefined) {
    positive('retryBudget.capacity', options.retryBudget.capacity);
    positive('retryBudget.refillPerSec', options.retryBudget.refillPerSec, true);
  }
  if (
    options.lookupPath !== undefined &&
    options.lookupPath !== null &&
    !options.lookupPath.startsWith('/')
  ) {
    throw new LandedError(
      'INVALID_OPTIONS',
      'createClient(): `lookupPath` must start with "/" (or be null when the server has no lookup)',
    );
  }
}

const encoder = new TextEncoder();

/** Resolved http(s) URLs by base and URL: an app writes to the same few endpoints again and again. */
const resolvedUrls = new Map<string, string>();
const RESOLVED_URLS_MAX = 256;

function resolveUrl(raw: unknown, baseUrl: string | undefined): string {
  const memo = typeof raw === 'string' ? (baseUrl === undefined ? raw : `${baseUrl}\n${raw}`) : undefined;
  const known = memo === undefined ? undefined : resolvedUrls.get(memo);
  if (known !== undefined) return known;
  let url: URL;
  try {
    url = new URL(raw as string, baseUrl);
  } catch {
    throw new LandedError(
      'INVALID_URL',
      `write(): ${JSON.stringify(raw)} is not a URL${baseUrl ? '' : ' (relative URLs need the `baseUrl` option)'}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LandedError('INVALID_URL', `write(): only http(s) URLs can be sent, got ${url.protocol}`);
  }
  if (memo !== undefined) {
    if (resolvedUrls.size >= RESOLVED_URLS_MAX) resolvedUrls.clear();
    resolvedUrls.set(memo, url.href);
  }
  return url.href;
}

export function validateWrite(
  request: WriteRequest,
  baseUrl: string | undefined,
  maxBodyBytes: number,
): ValidWrite {
  if (typeof request !== 'object' || request === null) {
    throw new LandedError('INVALID_OPTIONS', 'write() needs a request object: { method, url, body }');
  }
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  if (!METHODS.has(method)) {
    throw new LandedError(
      'INVALID_METHOD',
      `write(): method must be POST, PUT, PATCH or DELETE, got ${JSON.stringify(request.method)}`,
    );
  }
  const href = resolveUrl(request.url, baseUrl);
  let body: string | undefined;
  if (request.body !== undefined) {
    try {
      body = JSON.stringify(request.body);
    } catch (error) {
      throw new LandedError(
        'BODY_NOT_SERIALIZABLE',
        `write(): the body cannot be serialised to JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (body === undefined) {
      throw new LandedError(
        'BODY_NOT_SERIALIZABLE',
        `write(): a ${typeof request.body} body has no JSON form`,
      );
    }
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only a body that could be over the limit is encoded.
    const bytes = body.length * 3 <= maxBodyBytes ? body.length : encoder.encode(body).byteLength;
    if (bytes > maxBodyBytes) {
      throw new LandedError(
        'BODY_TOO_LARGE',
        `write(): the body is ${bytes} bytes, over the ${maxBodyBytes}-byte limit (maxBodyBytes)`,
      );
    }
  }
  const lane = request.lane ?? 'default';
  if (typeof lane !== 'string' || lane.length === 0 || lane.length > 200) {
    throw new LandedError(
      'INVALID_OPTIONS',
      'write(): `lane` must be a non-empty string of at most 200 characters',
    );
  }
  let headers: Record<string, string> | undefined;
  if (request.headers !== undefined) {
    headers = {};
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (CREDENTIAL_HEADERS.has(lower)) {
        throw new LandedError(
          'INVALID_OPTIONS',
          `write(): the ${name} header would be persisted in the outbox; give credentials through the client's \`headers()\` option, which is read per attempt`,
        );
      }
      if (RESERVED_HEADERS.has(lower)) {
        throw new LandedError('INVALID_OPTIONS', `write(): the ${name} header is set by the client itself`);
      }
      if (typeof value !== 'string') {
        throw new LandedError('INVALID_OPTIONS', `write(): header ${name} must be a string`);
      }
      headers[name] = value;
    }
  }
  return { method: method as WriteMethod, url: href, body, lane, headers, label: request.label };
}
