// The page of the adapter tests: each browser adapter on its own, with what it reported kept in `seen`.

import type { ChannelMessage, Lease } from '@landed/client';
import {
  broadcastOutboxChannel,
  browserFocus,
  browserOnline,
  webLocksLeadership,
} from '@landed/client/browser';

const seen = {
  online: [] as boolean[],
  focus: 0,
  messages: [] as ChannelMessage[],
  visibility: [] as string[],
};
browserOnline().subscribe((online) => seen.online.push(online));
browserFocus().subscribe(() => seen.focus++);
document.addEventListener('visibilitychange', () => seen.visibility.push(document.visibilityState));
const channel = broadcastOutboxChannel({ name: 'signals' });
channel.subscribe((message) => seen.messages.push(message));
const leadership = webLocksLeadership({ name: 'signals' });
let lease: Lease | undefined;

const api = {
  seen,
  isOnline: () => browserOnline().isOnline(),
  post: (message: ChannelMessage) => channel.post(message),
  raw: (data: unknown) => new BroadcastChannel('signals').postMessage(data),
  async lead(timeoutMs?: number) {
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    try {
      lease = await leadership.acquire(signal);
      return 'leading';
    } catch (error) {
      return (error as Error).name;
    }
  },
  release: () => lease?.release(),
};
(globalThis as unknown as { t: typeof api }).t = api;
document.title = 'ready';
