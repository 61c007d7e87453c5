import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFaults, parseFault } from './faults.ts';
import { canonicalJson, fingerprint, webDigest } from './fingerprint.ts';
import { formatKey, parseKey } from './protocol.ts';

describe('parseKey', () => {
  it('accepts quoted sf-strings and bare keys', () => {
    expect(parseKey('"abc"')).toEqual({ kind: 'ok', key: 'abc' });
    expect(parseKey('abc')).toEqual({ kind: 'ok', key: 'abc' });
    expect(parseKey(' "a\\"b\\\\c" ')).toEqual({ kind: 'ok', key: 'a"b\\c' });
    expect(parseKey(formatKey('a"b\\c'))).toEqual({ kind: 'ok', key: 'a"b\\c' });
  });
  it('refuses empty, too long, non-visible and badly quoted keys', () => {
    expect(parseKey(undefined).kind).toBe('missing');
    expect(parseKey('  ').kind).toBe('missing');
    for (const bad of ['x'.repeat(256), 'a b', 'a\u0001b', 'caf\u00e9', '"abc', '""', '"a"b"', '"a\\x"']) {
      expect(parseKey(bad).kind, bad).toBe('malformed');
    }
    expect(parseKey('x'.repeat(255)).kind).toBe('ok');
  });
});

describe('fingerprint', () => {
  it('ignores key order and covers method, path and body', async () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
    const base = await fingerprint('POST', '/orders', { a: 1, b: 2 });
    expect(await fingerprint('post', '/orders', { b: 2, a: 1 })).toBe(base);
    expect(await fingerprint('PUT', '/orders', { a: 1, b: 2 })).not.toBe(base);
    expect(await fingerprint('POST', '/orders/1', { a: 1, b: 2 })).not.toBe(base);
    expect(await fingerprint('POST', '/orders', { a: 1, b: 3 })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    // The same digest as before the move to Web Crypto: records stored by an older version still match.
    expect(await fingerprint('POST', '/orders', { item: 'pen' })).toBe(
      createHash('sha256').update('POST\n/orders\n{"item":"pen"}').digest('hex'),
    );
  });

  it("gives the same digest on the Web Crypto path as on Node's one-shot hash", async () => {
    const text = 'POST\n/orders\n{"item":"pen","note":"é ✓"}';
    expect(await webDigest(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('fault hooks', () => {
  it('stay off in production whatever the option or the header says', () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const faults = createFaults({ enabled: true });
      expect(faults.enabled).toBe(false);
      expect(faults.take('500-before-commit')).toBeUndefined();
      expect(() => faults.next('500-after-commit')).toThrow(/off/);
    } finally {
      process.env.NODE_ENV = before;
    }
  });
  it('follow LANDED_FAULTS=1 outside production, header first, then the queue', () => {
    const before = process.env.LANDED_FAULTS;
    process.env.LANDED_FAULTS = '1';
    try {
      const faults = createFaults();
      faults.next('slow:5');
      expect(faults.take('500-after-commit')).toBe('500-after-commit');
      expect(faults.take(undefined)).toBe('slow:5');
      expect(faults.take('nonsense')).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.LANDED_FAULTS;
      else process.env.LANDED_FAULTS = before;
    }
    expect(createFaults().enabled).toBe(false);
    expect(parseFault('slow:250')).toBe('slow:250');
    expect(parseFault('exit-after-commit')).toBe('exit-after-commit');
  });
  it('wait out slow:<ms> on a real timer unless given a sleep of their own', async () => {
    // Only a lower bound: a loaded machine makes the wait longer, never shorter.
    const started = Date.now();
    await createFaults({ enabled: true }).sleep(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const asked: number[] = [];
    await createFaults({ enabled: true, sleep: async (ms) => void asked.push(ms) }).sleep(7);
    expect(asked).toEqual([7]);
  });
});
