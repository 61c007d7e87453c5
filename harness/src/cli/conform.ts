/**
 * `landed-chaos conform`: the protocol checklist of one server, printed and optionally written as
 * JSON; exit 1 when a check fails, so CI can gate on it.
 */
import { writeFileSync } from 'node:fs';
import { conform } from '../conform/conform.ts';
import { checklist } from '../report/checklist.ts';
import { CONFORM_USAGE, parseConformArgs } from './conform-args.ts';

export async function conformCommand(argv: string[]): Promise<number> {
  const args = parseConformArgs(argv);
  if (args.help) {
    process.stdout.write(`${CONFORM_USAGE}\n`);
    return 0;
  }
  const report = await conform({
    target: args.target,
    path: args.path,
    body: args.body,
    lookupPath: args.lookupPath,
    ...(args.principals ? { principals: args.principals } : {}),
  });
  process.stdout.write(`${checklist(report, Boolean(process.stdout.isTTY))}\n`);
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`wrote ${args.json}\n`);
  }
  if (report.refused) return 2;
  return report.checks.some((c) => c.status === 'fail') ? 1 : 0;
}
