// French typography on every French page of the built site, read from the page's text as
// Chromium lays it out (text nodes whose language is French, code excepted): a no-break space
// before a colon and inside « », no space before ; ? !, no straight apostrophe, and no phone
// number that can break across lines: each is kept as typed (no U+2011 hyphen, so a search for
// "669-2007" finds it) in an element that does not wrap (`.nowrap`).
//
//   SITE_DIR=public node --test tests/browser/typography.test.js

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser } from './lib/browser.js';
import { startStaticServer } from './lib/static-server.js';

const siteDir = (() => {
  if (!process.env.SITE_DIR) throw new Error('SITE_DIR is not set: build the site first (see tests/run)');
  return resolve(process.env.SITE_DIR);
})();

function pages(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.html')) out.push(`/${relative(dir, full).split(sep).join('/')}`.replace(/index\.html$/, ''));
    }
  };
  walk(dir);
  return out.sort();
}

/** In the page: every French text node (code excepted), with its text. */
function frenchTexts() {
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('code, pre, kbd, samp, script, style, textarea')) continue;
    const lang = parent.closest('[lang]')?.getAttribute('lang') ?? '';
    const ws = getComputedStyle(parent).whiteSpace;
    const wraps = !(ws === 'nowrap' || ws === 'pre');
    // An <option>'s or the <title>'s text is laid out on one line anyway.
    const oneLine = !!parent.closest('option, title');
    if (lang.startsWith('fr') && node.data.trim()) texts.push({ text: node.data, wraps: wraps && !oneLine });
  }
  return texts;
}

const RULES = [
  [/[ \t\n\r]:/, 'a breakable space before a colon'],
  [/«(?![\u00a0\u202f])/, 'no no-break space after «'],
  [/(?<![\u00a0\u202f])»/, 'no no-break space before »'],
  [/[ \t\n\r\u00a0\u202f][;?!]/, 'a space before ; ? or !'],
  [/'/, 'a straight apostrophe'],
  [/\u2011/, 'a non-breaking hyphen (a search for the number as typed misses it)'],
];

/** Only in text that wraps: a phone number in it could break across lines. */
const WRAPPING_RULES = [
  [/\b\d{3}[ \t\n\u00a0]\d{3}[-‑]\d{4}\b|\b[0-9]-8-8\b|\b\d{3}-\d{4}\b/, 'a phone number that can break'],
  [/\b1[ \t\n\u00a0]\d{3}\b/, 'a phone number that can break after its 1'],
];

let server;
let browser;
const findings = [];
let checked = 0;

before(async () => {
  server = await startStaticServer(siteDir);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  for (const path of pages(siteDir)) {
    await page.goto(server.url + path);
    const texts = await page.evaluate(frenchTexts);
    if (texts.length === 0) continue;
    checked += 1;
    for (const { text, wraps } of texts) {
      for (const [pattern, what] of wraps ? [...RULES, ...WRAPPING_RULES] : RULES) {
        const match = text.match(pattern);
        if (match) {
          const at = Math.max(0, match.index - 25);
          findings.push(`${path}: ${what}: “${text.slice(at, match.index + 25).replace(/\s+/g, ' ')}”`);
        }
      }
    }
  }
  await page.close();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('every French page follows French typography', () => {
  assert.ok(checked >= 20, `only ${checked} pages with French text`);
  assert.deepEqual(findings, []);
});
