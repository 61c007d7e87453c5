// A service worker that does not run the outbox's sender: a page that connects to it is told so.

const scope = globalThis as unknown as EventTarget & { skipWaiting(): Promise<void> };
scope.addEventListener('install', () => void scope.skipWaiting());
