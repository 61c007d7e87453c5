// chaos.drain.mixed: time until every Landed write is resolved under the `mixed` fault schedule vs
// the same workload with no faults, through the real Toxiproxy and reference app, in the same run.
// Attempts per write are printed (target <= 2).
import { measureDrain } from './drain-kit.ts';

await measureDrain('chaos.drain.mixed', 'landed', 'landedPassed');
