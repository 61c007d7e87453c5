import type { FocusSignal } from '../../types/runtime.ts';

/**
 * Fires when the page becomes visible again: a phone unlocked, a tab brought back. Browsers throttle
 * timers in hidden tabs, so a backoff may have been stretched; this is the moment to flush.
 */
export function browserFocus(target: Document = globalThis.document): FocusSignal {
  return {
    subscribe(listener) {
      const onChange = () => {
        if (target.visibilityState === 'visible') listener();
      };
      target.addEventListener('visibilitychange', onChange);
      return () => target.removeEventListener('visibilitychange', onChange);
    },
  };
}
