/**
 * What `run --target` says above the verdict table when the target does not speak the protocol (or
 * its ledger does not hold what was sent): the counters then measure the server, not the faults, and
 * a person needs to be told so in plain words before reading them (issue 12).
 */
import type { ClientVerdict } from '../checker/check.ts';
import type { CHECKS } from '../conform/checks.ts';
import { type ConformReport, speaksProtocol } from '../conform/conform.ts';
import { wrap } from './checklist.ts';

export function protocolNotice(report: ConformReport): string | undefined {
  if (speaksProtocol(report)) return undefined;
  const failed = (id: keyof typeof CHECKS) =>
    report.checks.some((c) => c.id === id && c.status === 'fail') || report.refused !== undefined;
  const lines = [`Your server at ${report.target} does not speak the Landed idempotency protocol.`];
  if (report.refused) {
    lines.push(
      ...wrap(
        `Its ${report.path} route did not accept the probe write (${report.refused.answer?.status ?? report.refused.error}), so nothing about it could be checked.`,
        '  ',
      ),
    );
  }
  const broken = report.checks.filter((c) => c.status === 'fail');
  if (broken.length) lines.push('A server must do each of these, and it did not:');
  for (const c of broken) lines.push(...wrap(`✗ ${c.title} (${c.id})`, '  '));
  lines.push('So the counters below measure the server, not the faults:');
  if (failed('key-echoed'))
    lines.push(
      ...wrap(
        'Landed: no answer carried the key it sent, so it could take none as the answer to its write and confirmed nothing: unres counts every write. It retried each with the same key, and a server that ignores the key applied it again each time: dup. The writes queued behind it in the same lane (a visitor: ticket, then pen, then objects) were never sent: no row and no answer, so they count as lost.',
        '  ',
      ),
    );
  else if (failed('replay') || failed('concurrent'))
    lines.push(
      ...wrap(
        'Landed: every retry with the same key was applied again instead of replayed: dup counts them. That is the server, not the client: a retry after a timeout or reset is the only safe way to learn what happened.',
        '  ',
      ),
    );
  lines.push(
    ...wrap(
      'naive: it sends no key, so its counters mean what they always do: what the same faults do to a client without one.',
      '  ',
    ),
    '  The checklist, with the request and answer behind each line (the rules: docs/protocol.md):',
    // One line, never folded, so it can be copied whole.
    `    landed-chaos conform --target ${report.target} --path ${report.path} --body '${report.body}'`,
  );
  return lines.join('\n');
}

/** A target's ledger that does not hold the body as sent makes every write "wrong payload": say so. */
export function ledgerNotice(verdicts: readonly ClientVerdict[]): string | undefined {
  const wrong = verdicts.filter((v) => v.wrongPayload > 0);
  if (wrong.length === 0) return undefined;
  return wrap(
    `other includes ${wrong.map((v) => `${v.wrongPayload} wrong payload(s) of ${v.client}`).join(' and ')}: the ledger row of a write holds another body than the one sent (compared as JSON). If that is every write, your /_chaos/ledger "payload" is not the request body as received: store it as it came.`,
    '',
  ).join('\n');
}
