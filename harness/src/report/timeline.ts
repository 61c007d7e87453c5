/**
 * The timeline of one scenario as inline SVG: fault bars on top, then one row per client kind with a
 * tick per attempt (green applied, red refused, amber unknown) and a dot per final answer.
 */
import type { History } from '../checker/history.ts';

const COLORS = {
  ok: '#2e9d57',
  fail: '#d64545',
  info: '#e0a100',
  confirmed: '#2e9d57',
  rejected: '#d64545',
  expired: '#7a5cc7',
  unresolved: '#111',
};
const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export function timelineSvg(history: History, startedAt: number): string {
  const end = Math.max(startedAt + 1, ...history.map((op) => op.at));
  const span = end - startedAt;
  const width = 900;
  const left = 170;
  const x = (at: number) => left + ((at - startedAt) / span) * (width - left - 10);
  const faults = new Map<string, { start: number; stop: number }[]>();
  const open = new Map<string, number[]>();
  for (const op of history) {
    if (op.type !== 'fault') continue;
    if (op.phase === 'start') {
      const list = open.get(op.name) ?? [];
      list.push(op.at);
      open.set(op.name, list);
    } else {
      const start = open.get(op.name)?.shift() ?? startedAt;
      const bars = faults.get(op.name) ?? [];
      bars.push({ start, stop: op.at });
      faults.set(op.name, bars);
    }
  }
  for (const [name, starts] of open)
    for (const start of starts) faults.set(name, [...(faults.get(name) ?? []), { start, stop: end }]);
  const parts: string[] = [];
  let y = 10;
  for (const [name, bars] of faults) {
    parts.push(`<text x="4" y="${y + 11}" class="l">${esc(name)}</text>`);
    for (const b of bars)
      parts.push(
        `<rect x="${x(b.start).toFixed(1)}" y="${y}" width="${Math.max(1, x(b.stop) - x(b.start)).toFixed(1)}" height="14" fill="#c0392b" opacity="0.55"><title>${esc(name)}</title></rect>`,
      );
    y += 20;
  }
  for (const client of ['landed', 'naive']) {
    parts.push(`<text x="4" y="${y + 11}" class="l">${client} attempts</text>`);
    for (const op of history) {
      if (op.type === 'attempt' && op.client === client)
        parts.push(
          `<rect x="${x(op.at).toFixed(1)}" y="${y}" width="1.5" height="14" fill="${COLORS[op.result]}"/>`,
        );
    }
    y += 20;
    parts.push(`<text x="4" y="${y + 11}" class="l">${client} answers</text>`);
    for (const op of history) {
      if (op.type === 'verdict' && op.client === client)
        parts.push(
          `<circle cx="${x(op.at).toFixed(1)}" cy="${y + 7}" r="2.5" fill="${COLORS[op.verdict]}"/>`,
        );
    }
    y += 20;
  }
  const seconds = Math.ceil(span / 1000);
  for (let s = 0; s <= seconds; s++) {
    const px = x(startedAt + s * 1000);
    if (px > width) break;
    parts.push(
      `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="4" y2="${y}" stroke="#ddd"/><text x="${px.toFixed(1)}" y="${y + 12}" class="t">${s}s</text>`,
    );
  }
  return `<svg viewBox="0 0 ${width} ${y + 18}" width="${width}" height="${y + 18}" xmlns="http://www.w3.org/2000/svg" role="img">${parts.join('')}</svg>`;
}
