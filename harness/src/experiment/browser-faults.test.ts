import { describe, expect, it } from 'vitest';
import { isHarnessError } from '../toxiproxy/errors.ts';
import { loadExperiment, parseExperiment } from './load.ts';

const withFaults = (faults: string) => `name: b
target: reference
clients: { count: 1, kinds: [landed-browser] }
writes: { count: 5, path: /tickets, body: { writeId: "{{writeId}}", visitor: v } }
verify: { ledger: true }
faults:
${faults}
`;

function errorOf(text: string): string {
  try {
    parseExperiment(text, 'b.yaml');
  } catch (error) {
    if (isHarnessError(error) && error.code === 'BAD_EXPERIMENT') return error.message;
    throw error;
  }
  throw new Error('expected the experiment to be refused');
}

describe('browser faults in experiment files', () => {
  it('reads each browser fault with its windows', () => {
    const e = parseExperiment(
      withFaults(`  - { browser: tabs, tabs: 3, during: [0%-1%] }
  - { browser: close-leader, during: [20%-30%] }`),
      'b.yaml',
    );
    expect(e.faults.map((f) => f.fault)).toEqual([
      { kind: 'browser', action: 'tabs', tabs: 3 },
      { kind: 'browser', action: 'close-leader' },
    ]);
  });

  it('refuses an unknown action, tabs without a count, and a browser fault in a menu', () => {
    expect(errorOf(withFaults('  - { browser: freeze, during: [10%-20%] }'))).toMatch(
      /faults\[0\]\.browser: must be reload-tabs or crash-tabs or .* \(played on the browser clients\), got "freeze"/,
    );
    expect(errorOf(withFaults('  - { browser: tabs, during: [0%-1%] }'))).toMatch(
      /faults\[0\]\.tabs: browser: tabs needs/,
    );
    expect(
      errorOf(
        `${withFaults('  - { browser: offline, during: [10%-20%] }')}menu:\n  - { browser: offline }\n`,
      ),
    ).toMatch(/menu\[0\]\.browser: cannot be drawn/);
  });

  it('harness/experiments/browser.yaml holds the four browser scenarios and their mix, for landed-browser clients', () => {
    const e = loadExperiment(new URL('../../experiments/browser.yaml', import.meta.url).pathname);
    expect(e.kinds).toEqual(['landed-browser']);
    expect(e.scenarios.map((s) => s.name)).toEqual([
      'tab-reload',
      'tab-crash',
      'multi-tab',
      'offline',
      'browser-mixed',
    ]);
  });
});
