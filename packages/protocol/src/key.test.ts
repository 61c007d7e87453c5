import { describe, expect, it } from 'vitest';
import { formatKey, generateKey, isValidKey, parseKey, parseKeyHeader } from './key.ts';

describe('parseKey', () => {
  it('accepts quoted sf-strings and bare keys', () => {
    expect(parseKey('"abc"')).toEqual({ kind: 'ok', key: 'abc' });
    expect(parseKey('abc')).toEqual({ kind: 'ok', key: 'abc' });
    expect(parseKey(' "a\\"b\\\\c" ')).toEqual({ kind: 'ok', key: 'a"b\\c' });
    expect(parseKey(formatKey('a"b\\c'))).toEqual({ kind: 'ok', key: 'a"b\\c' });
  });
  it('refuses empty, too long, non-visible and badly quoted keys', () => {
    expect(parseKey(undefined).kind).toBe('missing');
    expect(parseKey(null).kind).toBe('missing');
    expect(parseKey('  ').kind).toBe('missing');
    for (const bad of ['x'.repeat(256), 'a b', 'a\u0001b', 'caf\u00e9', '"abc', '""', '"a"b"', '"a\\x"']) {
      expect(parseKey(bad).kind, bad).toBe('malformed');
    }
    expect(parseKey('x'.repeat(255)).kind).toBe('ok');
  });
});

describe('formatKey', () => {
  it('quotes by default, escapes only what needs it, and leaves a bare key bare', () => {
    expect(formatKey('abc')).toBe('"abc"');
    expect(formatKey('abc', 'quoted')).toBe('"abc"');
    expect(formatKey('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(formatKey('abc', 'unquoted')).toBe('abc');
  });
});

describe('parseKeyHeader', () => {
  it('reads an echo in either form, and an absent or empty one as none', () => {
    expect(parseKeyHeader('"abc"')).toBe('abc');
    expect(parseKeyHeader(' abc ')).toBe('abc');
    expect(parseKeyHeader('"a\\"b"')).toBe('a"b');
    expect(parseKeyHeader(null)).toBeUndefined();
    expect(parseKeyHeader('')).toBeUndefined();
    // Lenient: a broken echo is returned as it is, so it compares unequal to the key sent.
    expect(parseKeyHeader('"abc')).toBe('"abc');
  });
});

describe('generateKey', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it('makes distinct version-4 UUIDs that every server accepts', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateKey));
    expect(keys.size).toBe(1000);
    for (const key of keys) {
      expect(key).toMatch(UUID_V4);
      expect(isValidKey(key)).toBe(true);
    }
  });
  it('makes them from getRandomValues where randomUUID is missing (a browser page outside a secure context)', () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true, writable: true });
    try {
      const keys = new Set(Array.from({ length: 1000 }, generateKey));
      expect(keys.size).toBe(1000);
      for (const key of keys) expect(key).toMatch(UUID_V4);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: randomUUID, configurable: true, writable: true });
    }
  });
});

describe('isValidKey', () => {
  it('is the grammar parseKey applies after unquoting', () => {
    expect(isValidKey('k-1')).toBe(true);
    expect(isValidKey('')).toBe(false);
    expect(isValidKey('a b')).toBe(false);
    expect(isValidKey('x'.repeat(256))).toBe(false);
  });
});
