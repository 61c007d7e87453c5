import { describe, expect, it } from 'vitest';
import { haproxyConfig } from './haproxy-config.ts';

const backends = [
  { name: 'app0', port: 4100 },
  { name: 'app1', port: 4101 },
];

describe('haproxyConfig', () => {
  it('balances round-robin with no retry or redispatch of its own and no health checks', () => {
    const text = haproxyConfig({ port: 5000, backends });
    expect(text).toContain('bind 127.0.0.1:5000');
    expect(text).toContain('balance roundrobin');
    expect(text).toContain('retries 0');
    expect(text).toContain('no option redispatch');
    expect(text).toContain('server app0 127.0.0.1:4100\n');
    expect(text).toContain('server app1 127.0.0.1:4101\n');
    expect(text).not.toContain(' check');
    expect(text).not.toContain('use-server');
  });

  it('sends attempt n to instance n mod N when routing by attempt', () => {
    const text = haproxyConfig({ port: 5000, backends, routing: 'attempt' });
    expect(text).toContain('req.hdr_val(landed-attempt),mod(2)');
    expect(text).toContain('use-server app0 if { var(txn.landed_instance) -m int 0 }');
    expect(text).toContain('use-server app1 if { var(txn.landed_instance) -m int 1 }');
  });

  it('runs one HAProxy thread unless told otherwise', () => {
    expect(haproxyConfig({ port: 5000, backends })).toContain('  nbthread 1\n');
    expect(haproxyConfig({ port: 5000, backends, threads: 4 })).toContain('  nbthread 4\n');
    expect(() => haproxyConfig({ port: 5000, backends, threads: 0 })).toThrow(RangeError);
  });

  it('refuses a fleet without instances', () => {
    expect(() => haproxyConfig({ port: 5000, backends: [] })).toThrow(RangeError);
  });
});
