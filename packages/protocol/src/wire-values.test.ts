import { describe, expect, it } from 'vitest';
import { decodeLookupSegment, lookupSegment, lookupTarget } from './lookup.ts';
import { KEY_REUSED_PROBLEM, problemType } from './problems.ts';
import { formatRetention, parseRetention } from './retention.ts';
import { formatRetryAfter, parseRetryAfter } from './retry-after.ts';

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP-dates as milliseconds from now, nonsense as absent', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
  it('writes whole seconds that the reader reads back', () => {
    expect(formatRetryAfter(1)).toBe('1');
    expect(formatRetryAfter(0.2)).toBe('1');
    expect(formatRetryAfter(-5)).toBe('0');
    expect(parseRetryAfter(formatRetryAfter(7), now)).toBe(7000);
  });
});

describe('Idempotency-Retention', () => {
  it('is a positive whole number of seconds, anything else is absent', () => {
    expect(parseRetention('86400')).toBe(86_400);
    expect(parseRetention(formatRetention(60))).toBe(60);
    for (const bad of [null, '', '0', '-1', '1.5', 'a day'])
      expect(parseRetention(bad), String(bad)).toBeUndefined();
  });
});

describe('lookup route', () => {
  it('puts the key in one percent-encoded segment and reads it back', () => {
    expect(lookupTarget('/idempotency', 'a/b c')).toBe('/idempotency/a%2Fb%20c');
    const segment = lookupSegment('/idempotency', 'GET', `${lookupTarget('/idempotency', 'a/b c')}?x=1`);
    expect(segment).toBe('a%2Fb%20c');
    expect(decodeLookupSegment(segment as string)).toBe('a/b c');
    expect(decodeLookupSegment('%E0%A4%A')).toBeUndefined();
  });
  it('is GET or HEAD on a key under the path, nothing else', () => {
    expect(lookupSegment('/idempotency', 'head', '/idempotency/k')).toBe('k');
    expect(lookupSegment('/idempotency', 'POST', '/idempotency/k')).toBeUndefined();
    expect(lookupSegment('/idempotency', 'GET', '/idempotency/')).toBeUndefined();
    expect(lookupSegment('/idempotency', 'GET', '/idempotencyk')).toBeUndefined();
    expect(lookupSegment(null, 'GET', '/idempotency/k')).toBeUndefined();
  });
});

describe('problems', () => {
  it('name their type under one base, by their code', () => {
    expect(problemType(KEY_REUSED_PROBLEM)).toBe('https://landed.dev/problems/idempotency-key-reused');
  });
});
