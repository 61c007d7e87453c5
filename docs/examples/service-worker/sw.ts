// The desk's service worker (served as /sw.js): the outbox's sender, so pairings made while the
// network was down land when it returns, even after the desk's tab was closed.
import { serviceWorkerSender } from '@landed/client/sw';

// The same name as the page's createBrowserClient(): one outbox, one sender at a time.
// baseUrl defaults to the worker's origin; headers(), backoff and the rest are the client's options.
serviceWorkerSender({ name: 'museum-desk' });
