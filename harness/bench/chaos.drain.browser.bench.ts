// chaos.drain.browser: time until every `landed-browser` write (Landed's browser build in Chromium:
// IndexedDB outbox, Web Locks) is resolved under the museum's `mixed` fault schedule vs the same
// workload with no faults, through the real Toxiproxy and reference app, in the same run and the same
// Chromium. The schedule, size and seed are those of chaos.drain.mixed (the Node client's figure).
import { measureDrain } from './drain-kit.ts';

await measureDrain('chaos.drain.browser', 'landed-browser', 'passed');
