import { LandedConsole } from './LandedConsole.ts';

/** Registers the element (once) under `tag`. Importing `@landed/console` does it for `landed-console`. */
export function defineLandedConsole(tag = 'landed-console'): void {
  if (typeof customElements === 'undefined' || customElements.get(tag)) return;
  // A subclass per extra tag: one constructor can only be registered under one name.
  customElements.define(tag, tag === 'landed-console' ? LandedConsole : class extends LandedConsole {});
}
