/**
 * The request fingerprint: sha-256 over method, path and the canonical JSON body (object keys sorted),
 * so the same payload sent with keys in another order is the same request, and any change is a reuse.
 */
import { hash } from 'node:crypto';

/** JSON with object keys sorted at every depth; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const object = value as Record<string, unknown>;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function')
    return canonicalJson(JSON.parse(JSON.stringify(object)));
  const members = Object.keys(object)
    .filter((k) => object[k] !== undefined && typeof object[k] !== 'function')
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`);
  return `{${members.join(',')}}`;
}

/** Hex sha-256 of `METHOD\npath\ncanonical-body`. A missing body hashes as the empty string. */
export function fingerprint(method: string, path: string, body: unknown): string {
  const canonical = body === undefined ? '' : canonicalJson(body);
  // One-shot `hash()`: no Hash object per request.
  return hash('sha256', `${method.toUpperCase()}\n${path}\n${canonical}`, 'hex');
}
