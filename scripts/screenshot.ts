// Takes a screenshot of the top of a local HTML file (width × height, CSS pixels) in Debian's Chromium,
// for the images in docs/:
//   npm run chaos -- --html reports/chaos.html
//   npx node scripts/screenshot.ts reports/chaos.html docs/images/harness-report.png 1280 1400
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [input, output, width = '1040', height = '1400'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/screenshot.ts <file.html> <out.png> [width] [height]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  await page.goto(pathToFileURL(resolve(input)).href);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
