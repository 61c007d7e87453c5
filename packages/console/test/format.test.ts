import type { Entry } from '@landed/client';
import { expect, test } from 'vitest';
import { age, allowed, describeRecord, LandedConsole, title } from '../src/index.ts';

const entry = (state: Entry['state'], extra: Partial<Entry> = {}): Entry => ({
  id: 'e',
  key: 'k',
  method: 'POST',
  url: 'https://api.example/pens/pair?visitor=1',
  lane: 'default',
  seq: 1,
  state,
  attempts: 1,
  createdAt: 0,
  updatedAt: 0,
  ...extra,
});

test('importing the console outside a browser does not throw', () => {
  expect(typeof LandedConsole).toBe('function');
});

test('buttons offered per state match what the client accepts', () => {
  expect(allowed(entry('expired'))).toEqual({ replay: true, discard: true, retry: false });
  expect(allowed(entry('rejected'))).toEqual({ replay: true, discard: true, retry: false });
  expect(allowed(entry('queued'))).toEqual({ replay: false, discard: true, retry: true });
  expect(allowed(entry('uncertain'))).toEqual({ replay: false, discard: false, retry: true });
  expect(allowed(entry('uncertain', { parked: true }))).toEqual({
    replay: false,
    discard: true,
    retry: true,
  });
  expect(allowed(entry('sending'))).toEqual({ replay: false, discard: false, retry: false });
});

test('names, ages and log lines read well and never show the body or query', () => {
  expect(title(entry('queued'))).toBe('POST /pens/pair');
  expect(title(entry('queued', { label: 'pair pen 77' }))).toBe('pair pen 77');
  expect([age(0, 5_000), age(0, 125_000), age(0, 7_300_000), age(0, 200_000_000)]).toEqual([
    '5 s',
    '2 min',
    '2 h',
    '2 d',
  ]);
  expect(
    describeRecord({
      type: 'attempt',
      at: 0,
      entryId: 'e',
      attempt: 3,
      durationMs: 12.4,
      result: 'ok',
      status: 201,
      replayed: true,
    }),
  ).toBe('attempt 3: HTTP 201, replayed by the server — ok in 12 ms');
  expect(describeRecord({ type: 'transition', at: 0, entryId: 'e', from: null, to: 'queued' })).toBe(
    'new → queued',
  );
});
