import type { OnlineSignal } from '../../types/runtime.ts';

/**
 * The browser's idea of connectivity: `navigator.onLine` and the `online`/`offline` events. It can say
 * "online" behind a captive portal; that costs one attempt that fails as `uncertain`, never a write.
 */
export function browserOnline(target: Window = globalThis.window): OnlineSignal {
  return {
    isOnline: () => globalThis.navigator?.onLine ?? true,
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      target.addEventListener('online', online);
      target.addEventListener('offline', offline);
      return () => {
        target.removeEventListener('online', online);
        target.removeEventListener('offline', offline);
      };
    },
  };
}
