// Browser tests of a built eclaireurs site, in Debian's Chromium.
//
//   SITE_DIR=public node --test tests/browser/
//
// The folder SITE_DIR is served by a static server that behaves like the host
// (lib/static-server.js). Every *.html file is visited, and so is every internal
// page that the pages (and sitemap.xml) link to. Each page is loaded once in one of
// a few browser tabs; what the tests need (status, language, headings, links,
// axe's findings) is recorded then, and the tests below judge those records.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';

import { formatViolations, runAxe } from './lib/axe.js';
import { launchBrowser } from './lib/browser.js';
import { startStaticServer } from './lib/static-server.js';

const TABS = 4;
const NAV_TIMEOUT_MS = 30_000;
/** Pages that may have no language switcher: the language chooser and the error page. */
const NO_SWITCHER_NEEDED = new Set(['/', '/404.html']);

// ---------------------------------------------------------------------------
// The site folder

function siteDirOrThrow() {
  const raw = process.env.SITE_DIR;
  if (!raw) {
    throw new Error(
      'SITE_DIR is not set: build the site, then run e.g. ' +
        '`cargo run -p eclaireurs -- build --out public && SITE_DIR=public node --test tests/browser/`',
    );
  }
  const dir = resolve(raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`SITE_DIR=${raw} is not a folder (${dir}): build the site first`);
  }
  if (htmlFiles(dir).length === 0) {
    throw new Error(`SITE_DIR=${raw} holds no .html file (${dir}): build the site first`);
  }
  return dir;
}

function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.html')) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** `a/b/index.html` → `/a/b/`, `404.html` → `/404.html` (percent-encoded like a browser would). */
function fileToPath(dir, file) {
  const parts = relative(dir, file).split(sep).map(encodeURIComponent);
  if (parts.at(-1) === 'index.html') parts[parts.length - 1] = '';
  return `/${parts.join('/')}`;
}

/** One page, one key: `/fr/index.html` and `/fr/` are the same page. */
function pageKey(path) {
  return path.endsWith('/index.html') ? path.slice(0, -'index.html'.length) : path;
}

/** The URLs listed in sitemap.xml (<loc> and hreflang alternates), and the site's origin. */
function readSitemap(dir) {
  const file = join(dir, 'sitemap.xml');
  if (!existsSync(file)) return { origin: null, urls: [] };
  const xml = readFileSync(file, 'utf8');
  const locs = [...xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)].map((m) => m[1]);
  const alternates = [...xml.matchAll(/<xhtml:link\b[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]);
  let origin = null;
  try {
    origin = locs.length ? new URL(locs[0]).origin : null;
  } catch {
    origin = null;
  }
  const decode = (s) => s.replaceAll('&amp;', '&');
  return { origin, urls: [...new Set([...locs, ...alternates].map(decode))] };
}

// ---------------------------------------------------------------------------
// State shared by the tests, filled by the crawl in `before`

let siteDir;
let server;
let browser;
let siteOrigin = null;
/** @type {Map<string, PageRecord>} page key → what was seen on that page */
const pages = new Map();
/** @type {Map<string, Promise<{status: number, type: string, location: string|null}>>} */
const urlChecks = new Map();
/** Links to internal URLs: {from, kind, raw, path, hash} */
const internalLinks = [];

/**
 * @typedef {object} PageRecord
 * @property {string} path
 * @property {number|null} status
 * @property {string} contentType
 * @property {string|null} error       navigation or evaluation error
 * @property {object|null} facts       what the DOM said (see collectFacts)
 * @property {object[]} violations     axe violations
 * @property {string[]} jsErrors       uncaught exceptions thrown by the page's scripts
 */

/**
 * Classifies a link found on a page: the local path it stands for, or null for
 * an external one (another origin, mailto:, tel:, …) that is not fetched.
 * `rel=alternate` and `rel=canonical` carry absolute URLs of the published site:
 * only their path is compared.
 */
function internalTarget(absUrl, kind) {
  let u;
  try {
    u = new URL(absUrl);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const pathOnly = kind === 'alternate' || kind === 'canonical' || kind === 'sitemap';
  if (pathOnly || u.origin === server.url || u.origin === siteOrigin) {
    return { path: u.pathname, hash: u.hash };
  }
  return null;
}

/** Fetches a local path once (no redirect followed: a link must lead straight to a 200). */
function checkUrl(path) {
  if (!urlChecks.has(path)) {
    urlChecks.set(
      path,
      fetch(`${server.url}${path}`, { redirect: 'manual' }).then(async (res) => {
        await res.arrayBuffer();
        return {
          status: res.status,
          type: res.headers.get('content-type') ?? '',
          location: res.headers.get('location'),
        };
      }),
    );
  }
  return urlChecks.get(path);
}

const isHtml = (type) => /^text\/html\b/.test(type ?? '');

/** Runs in the page: everything the tests need from the DOM. */
function collectFacts() {
  const links = [];
  const push = (kind, el, attr, value) =>
    links.push({ kind, raw: el.getAttribute(attr), url: value, label: (el.textContent || '').trim().slice(0, 60) });
  const srcset = (el, kind) => {
    for (const candidate of (el.getAttribute('srcset') || '').split(',')) {
      const u = candidate.trim().split(/\s+/)[0];
      if (u) links.push({ kind, raw: u, url: new URL(u, document.baseURI).href, label: '' });
    }
  };
  for (const a of document.querySelectorAll('a[href], area[href]')) push('a', a, 'href', a.href);
  for (const l of document.querySelectorAll('link[href]')) {
    const rel = l.relList;
    const kind = rel.contains('canonical')
      ? 'canonical'
      : rel.contains('alternate')
        ? 'alternate'
        : `link rel=${l.getAttribute('rel') || ''}`;
    push(kind, l, 'href', l.href);
  }
  for (const s of document.querySelectorAll('script[src]')) push('script', s, 'src', s.src);
  for (const i of document.querySelectorAll('img[src], source[src], video[src], audio[src], iframe[src]')) {
    push(i.localName, i, 'src', i.src);
  }
  for (const v of document.querySelectorAll('video[poster]')) {
    push('video poster', v, 'poster', new URL(v.getAttribute('poster'), document.baseURI).href);
  }
  for (const i of document.querySelectorAll('img[srcset], source[srcset]')) srcset(i, `${i.localName} srcset`);

  return {
    lang: document.documentElement.getAttribute('lang'),
    h1Count: document.querySelectorAll('h1').length,
    title: (document.title || '').trim(),
    ids: [
      ...[...document.querySelectorAll('[id]')].map((e) => e.id),
      ...[...document.querySelectorAll('a[name]')].map((e) => e.getAttribute('name')),
    ],
    links,
    alternates: [...document.querySelectorAll('link[rel~="alternate"][hreflang][href]')].map((l) => ({
      hreflang: l.getAttribute('hreflang'),
      href: l.href,
    })),
    switchers: [...document.querySelectorAll('a[data-lang-switch]')].map((a) => ({
      raw: a.getAttribute('href'),
      href: a.href,
    })),
  };
}

async function crawl(seeds) {
  const { context } = browser;
  // Only the local server is reachable: third-party requests (fonts, video players) are
  // refused so the result never depends on the network.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith(`${server.url}/`) ? route.continue() : route.abort('blockedbyclient');
  });
  const free = [...context.pages()];
  while (free.length < TABS) free.push(await context.newPage());
  const jsErrors = new Map();
  for (const tab of free) {
    tab.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
    tab.on('pageerror', (err) => jsErrors.get(tab)?.push(err.message));
  }

  async function visit(path) {
    /** @type {PageRecord} */
    const rec = { path, status: null, contentType: '', error: null, facts: null, violations: [], jsErrors: [] };
    pages.set(path, rec);
    const tab = free.pop();
    jsErrors.set(tab, rec.jsErrors);
    try {
      const res = await tab.goto(`${server.url}${path}`, { waitUntil: 'load' });
      rec.status = res?.status() ?? null;
      rec.contentType = res?.headers()['content-type'] ?? '';
      if (!isHtml(rec.contentType)) return [];
      rec.facts = await tab.evaluate(collectFacts);
      rec.violations = await runAxe(tab);
    } catch (err) {
      rec.error = err.message.split('\n')[0];
      return [];
    } finally {
      jsErrors.delete(tab);
      free.push(tab);
    }
    // Pages this page leads to, to visit in turn.
    const next = [];
    for (const link of rec.facts.links) {
      const target = internalTarget(link.url, link.kind);
      if (!target) continue;
      internalLinks.push({ from: path, kind: link.kind, raw: link.raw, label: link.label, ...target });
      if (link.kind === 'a' || link.kind === 'alternate' || link.kind === 'canonical') {
        next.push(target.path);
      }
    }
    const found = [];
    for (const p of new Set(next)) {
      const check = await checkUrl(p);
      if (check.status === 200 && isHtml(check.type)) found.push(pageKey(p));
    }
    return found;
  }

  const queue = [...new Set(seeds)];
  const seen = new Set(queue);
  await new Promise((done, fail) => {
    let active = 0;
    const pump = () => {
      while (active < TABS && queue.length > 0) {
        const path = queue.shift();
        active += 1;
        visit(path)
          .then((found) => {
            for (const p of found) {
              if (!seen.has(p)) {
                seen.add(p);
                queue.push(p);
              }
            }
          })
          .catch(fail)
          .finally(() => {
            active -= 1;
            pump();
          });
      }
      if (active === 0 && queue.length === 0) done();
    };
    pump();
  });
}

before(
  async () => {
    siteDir = siteDirOrThrow();
    server = await startStaticServer(siteDir);
    browser = await launchBrowser();
    const sitemap = readSitemap(siteDir);
    siteOrigin = sitemap.origin;

    const seeds = htmlFiles(siteDir).map((f) => fileToPath(siteDir, f));
    // URLs listed in sitemap.xml are links too: check them, and visit those that are pages.
    for (const url of sitemap.urls) {
      const target = internalTarget(url, 'sitemap');
      if (!target) continue;
      internalLinks.push({ from: '/sitemap.xml', kind: 'sitemap', raw: url, label: '', ...target });
      const check = await checkUrl(target.path);
      if (check.status === 200 && isHtml(check.type)) seeds.push(pageKey(target.path));
    }
    await crawl(seeds);
  },
  { timeout: 15 * 60_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------
// Helpers for the assertions

const sortedPages = () => [...pages.values()].sort((a, b) => a.path.localeCompare(b.path));
const htmlPages = () => sortedPages().filter((p) => p.facts);

function describeLink(l) {
  const label = l.label ? ` "${l.label}"` : '';
  return `on ${l.from}: ${l.kind}${label} → ${l.raw}`;
}

function describeStatus(check) {
  if (check.status >= 300 && check.status < 400) {
    return `${check.status} redirect to ${check.location} (link to the final address instead)`;
  }
  return String(check.status);
}

// ---------------------------------------------------------------------------
// The tests

test('every page loads, says in <html lang> that it is in French or English, has exactly one <h1> and a <title>, throws no script error, and has no WCAG 2.0/2.1 A or AA violation found by axe', async (t) => {
  assert.ok(pages.size > 0, 'no page was visited');
  for (const rec of sortedPages()) {
    await t.test(rec.path, () => {
      const problems = [];
      const errorPage = rec.path === '/404.html';
      if (rec.error) problems.push(`could not be loaded: ${rec.error}`);
      else if (rec.status !== 200 && !(errorPage && rec.status === 404)) {
        problems.push(`answers ${rec.status} instead of 200`);
      }
      if (!rec.error && !rec.facts) problems.push(`is not an HTML page (Content-Type: ${rec.contentType})`);
      if (rec.facts) {
        const { lang, h1Count, title } = rec.facts;
        if (lang !== 'fr' && lang !== 'en') {
          problems.push(`<html lang> is ${lang === null ? 'missing' : JSON.stringify(lang)}; expected "fr" or "en"`);
        }
        if (h1Count !== 1) problems.push(`has ${h1Count} <h1> elements; expected exactly one`);
        if (!title) problems.push('has no <title> (or an empty one)');
      }
      for (const e of rec.jsErrors) problems.push(`script error: ${e}`);
      if (rec.violations.length > 0) {
        problems.push(`has ${rec.violations.length} accessibility violation(s):\n${formatViolations(rec.violations)}`);
      }
      assert.ok(problems.length === 0, `${rec.path}:\n- ${problems.join('\n- ')}`);
    });
  }
});

test('every internal link, alternate, stylesheet, script and image on every page (and every URL of sitemap.xml) answers 200 on a static host', async (t) => {
  const distinct = new Set(internalLinks.map((l) => l.path));
  t.diagnostic(`${pages.size} pages visited, ${internalLinks.length} internal links to ${distinct.size} distinct addresses checked`);
  const broken = new Map(); // path → {check, links}
  for (const link of internalLinks) {
    const check = await checkUrl(link.path);
    if (check.status === 200) continue;
    if (!broken.has(link.path)) broken.set(link.path, { check, links: [] });
    broken.get(link.path).links.push(link);
  }
  const report = [...broken.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, { check, links }]) => {
      const where = links.map((l) => `      ${describeLink(l)}`).join('\n');
      return `  ${path} answers ${describeStatus(check)}\n${where}`;
    });
  assert.ok(
    report.length === 0,
    `${report.length} internal address(es) linked from the site do not answer 200:\n${report.join('\n')}`,
  );
});

test('every link to an anchor (#id) on the site leads to an element with that id', () => {
  const problems = [];
  for (const link of internalLinks) {
    if (link.kind !== 'a' || !link.hash || link.hash === '#' || link.hash === '#top') continue;
    const target = pages.get(pageKey(link.path));
    if (!target?.facts) continue; // not a page: reported by the link test if broken
    let id;
    try {
      id = decodeURIComponent(link.hash.slice(1));
    } catch {
      id = link.hash.slice(1);
    }
    if (!target.facts.ids.includes(id)) {
      problems.push(`  ${describeLink(link)}: ${target.path} has no element with id="${id}"`);
    }
  }
  assert.ok(problems.length === 0, `${problems.length} link(s) to a missing anchor:\n${problems.join('\n')}`);
});

test('hreflang alternates are reciprocal: when page A names page B as its translation, B names A back in A\'s language', () => {
  const problems = [];
  for (const a of htmlPages()) {
    const langA = a.facts.lang;
    for (const alt of a.facts.alternates) {
      if (alt.hreflang === 'x-default') continue;
      const targetB = internalTarget(alt.href, 'alternate');
      if (!targetB) {
        problems.push(`  ${a.path}: hreflang="${alt.hreflang}" → ${alt.href} is not an address of this site`);
        continue;
      }
      const keyB = pageKey(targetB.path);
      if (keyB === a.path) continue; // a page naming itself
      const b = pages.get(keyB);
      if (!b?.facts) {
        problems.push(`  ${a.path}: hreflang="${alt.hreflang}" → ${targetB.path}, which is not a page of the site`);
        continue;
      }
      const back = b.facts.alternates.filter((x) => x.hreflang === langA);
      const backPaths = back.map((x) => internalTarget(x.href, 'alternate')?.path).filter(Boolean).map(pageKey);
      if (!backPaths.includes(a.path)) {
        const found = back.length ? `it names ${back.map((x) => x.href).join(', ')} instead` : `it has no hreflang="${langA}" alternate`;
        problems.push(
          `  ${a.path} (lang ${langA}): hreflang="${alt.hreflang}" → ${keyB}, but ${keyB} does not link back with hreflang="${langA}" → ${a.path} (${found})`,
        );
      }
    }
  }
  assert.ok(problems.length === 0, `${problems.length} hreflang alternate(s) are not reciprocal:\n${problems.join('\n')}`);
});

test('every page except / and /404.html has a language switcher (a[data-lang-switch]) that leads to a page in the other language answering 200', async () => {
  const problems = [];
  for (const rec of htmlPages()) {
    const { switchers, lang } = rec.facts;
    if (switchers.length === 0) {
      if (!NO_SWITCHER_NEEDED.has(rec.path)) problems.push(`  ${rec.path}: no a[data-lang-switch]`);
      continue;
    }
    for (const s of switchers) {
      const target = internalTarget(s.href, 'a');
      if (!target) {
        problems.push(`  ${rec.path}: the switcher leads to ${s.raw}, outside the site`);
        continue;
      }
      const check = await checkUrl(target.path);
      if (check.status !== 200) {
        problems.push(`  ${rec.path}: the switcher → ${s.raw} answers ${describeStatus(check)}`);
        continue;
      }
      const other = pages.get(pageKey(target.path));
      if (other?.facts && other.facts.lang === lang) {
        problems.push(`  ${rec.path} (lang ${lang}): the switcher → ${s.raw} leads to a page in the same language`);
      }
    }
  }
  assert.ok(problems.length === 0, `${problems.length} language switcher problem(s):\n${problems.join('\n')}`);
});

test('the site has a /404.html page, which a static host serves with status 404 for an unknown address', async () => {
  assert.ok(existsSync(join(siteDir, '404.html')), `${siteDir} has no 404.html`);
  const res = await fetch(`${server.url}/this-address-does-not-exist/`);
  const body = await res.text();
  assert.equal(res.status, 404);
  assert.equal(body, readFileSync(join(siteDir, '404.html'), 'utf8'));
});

test('the 404 page still finds its stylesheets, scripts, images and links when shown at a deep unknown address (its URLs are absolute)', async () => {
  const deep = '/fr/une/adresse/inexistante/';
  const tab = await browser.context.newPage();
  try {
    const res = await tab.goto(`${server.url}${deep}`, { waitUntil: 'load' });
    assert.equal(res?.status(), 404, `${deep} should answer 404`);
    const facts = await tab.evaluate(collectFacts);
    const problems = [];
    for (const link of facts.links) {
      if (link.raw?.startsWith('#')) continue; // same page
      const target = internalTarget(link.url, link.kind);
      if (!target) continue;
      const check = await checkUrl(target.path);
      if (check.status !== 200) {
        problems.push(`  ${link.kind} → ${link.raw} resolves to ${target.path}, which answers ${describeStatus(check)}`);
      }
    }
    assert.ok(
      problems.length === 0,
      `404.html shown at ${deep} has ${problems.length} broken address(es) (use URLs starting with /):\n${problems.join('\n')}`,
    );
  } finally {
    await tab.close();
  }
});
