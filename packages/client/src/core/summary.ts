import type { Summary } from '../types/client.ts';
import type { ClientContext } from './ClientContext.ts';

/** "3 writes waiting, 1 needs attention": the current principal's entries, counted for a UI to bind to. */
export function summarize(context: ClientContext): Summary {
  const counts = { queued: 0, sending: 0, uncertain: 0, confirmed: 0, rejected: 0, expired: 0 };
  let needsAttention = 0;
  for (const entry of context.outbox.entries.values()) {
    if (entry.principal !== context.principal) continue;
    counts[entry.state]++;
    if (
      entry.state === 'rejected' ||
      entry.state === 'expired' ||
      entry.reported?.includes('uncertain-too-long')
    )
      needsAttention++;
  }
  const waiting = counts.queued + counts.sending + counts.uncertain;
  const parts = [];
  if (waiting) parts.push(`${waiting} write${waiting === 1 ? '' : 's'} waiting`);
  if (needsAttention) parts.push(`${needsAttention} need${needsAttention === 1 ? 's' : ''} attention`);
  return {
    waiting,
    sending: counts.sending,
    uncertain: counts.uncertain,
    needsAttention,
    confirmed: counts.confirmed,
    rejected: counts.rejected,
    expired: counts.expired,
    online: context.settings.online.isOnline(),
    leader: context.leader,
    text: parts.length ? parts.join(', ') : 'All writes landed',
  };
}
