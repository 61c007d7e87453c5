// The docs' own links hold: every relative link in README.md and docs/*.md names a file of the
// repository, and every `#anchor` into a Markdown file names one of its headings (as GitHub makes
// them: lower case, punctuation dropped, spaces as hyphens, a repeated heading numbered).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const files = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const withoutCode = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(readFileSync(join(root, file), 'utf8')).matchAll(
    /^#{1,6}\s+(.*)$/gm,
  )) {
    const base = (heading ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replaceAll(' ', '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

test('every relative link and anchor in README.md and docs/ resolves', () => {
  const broken: string[] = [];
  const anchors = new Map<string, Set<string>>();
  for (const file of files) {
    const text = withoutCode(readFileSync(join(root, file), 'utf8'));
    for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!link || /^[a-z]+:/i.test(link)) continue;
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? file : relative(root, normalize(join(root, dirname(file), path)));
      if (!existsSync(join(root, target))) {
        broken.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (anchor && target.endsWith('.md')) {
        if (!anchors.has(target)) anchors.set(target, anchorsOf(target));
        if (!anchors.get(target)?.has(anchor)) broken.push(`${file}: ${link} (no such heading)`);
      }
    }
  }
  expect(files.length).toBeGreaterThan(5);
  expect(broken).toEqual([]);
});
