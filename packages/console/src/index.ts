/**
 * @landed/console — `<landed-console>`, the replay console of a Landed outbox: a framework-free web
 * component that lists writes and the log, filters by state, shows a write's attempt history, and
 * has "Replay", "Discard" and "Retry now" buttons wired to the client. Importing this module
 * registers the element.
 */
import { defineLandedConsole } from './define.ts';

export { defineLandedConsole } from './define.ts';
export { age, describeRecord, title } from './format.ts';
export { LandedConsole } from './LandedConsole.ts';
export type { Action } from './render.ts';
export { allowed } from './render.ts';

defineLandedConsole();

declare global {
  interface HTMLElementTagNameMap {
    'landed-console': import('./LandedConsole.ts').LandedConsole;
  }
}
