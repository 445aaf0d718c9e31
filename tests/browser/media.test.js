// A region page with a photo, a diagram, a leaflet and two videos, in Debian's Chromium on a
// phone (390×844 CSS px, pixel ratio 2), served as the distribution serves it (the template's
// CloudFront Function and response headers, CSP included):
// - no layout shift while the pictures arrive late (CLS measured by the browser);
// - zero axe violations, before and after a video is started;
// - the picture the browser chooses, and what the page weighs;
// - no request to another host before a click on a video, the player after it (the player's
//   request is refused here, so nothing leaves the machine), a plain link without JavaScript;
// - the policy's frame-src allows the two players and nothing else names another host.
//
//   tests/.venv/bin/python tests/media/make-fixture /tmp/media-content
//   target/debug/eclaireurs build --content /tmp/media-content --out /tmp/media-site
//   MEDIA_SITE_DIR=/tmp/media-site TEMPLATE_JSON=/tmp/template.json node --test tests/browser/media.test.js
// (tests/run does all of it.)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expandedTemplate } from '../template/cloudfront.js';
import { formatViolations, runAxe } from './lib/axe.js';
import { launchBrowser } from './lib/browser.js';
import { startCdnServer } from './lib/cdn-server.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 };
const PAGES = { fr: '/fr/bas-saint-laurent/photos/', en: '/en/bas-saint-laurent/photos/' };
const IMAGE_DELAY_MS = 500;
const MAX_CLS = 0.01;
const MAX_PAGE_BYTES = 200 * 1024;
const YOUTUBE_ID = 'aqz-KE-bpKQ';
const VIMEO_ID = '76979871';
const PLAYERS = ['https://www.youtube-nocookie.com', 'https://player.vimeo.com'];
const TITLES = {
  fr: ["Capsule 1 : le rôle de l'éclaireur", 'Capsule 2 : mobiliser sa communauté'],
  en: ["Capsule 1: the éclaireur's role", "Capsule 2: mobilizing one's community"],
};

const siteDir = (() => {
  const raw = process.env.MEDIA_SITE_DIR;
  if (!raw) {
    throw new Error(
      'MEDIA_SITE_DIR is not set: make and build the media fixture first ' +
        '(tests/media/make-fixture OUT; eclaireurs build --content OUT --out SITE; MEDIA_SITE_DIR=SITE), as tests/run does',
    );
  }
  const dir = resolve(raw);
  if (!existsSync(join(dir, PAGES.fr.slice(1), 'index.html'))) {
    throw new Error(`MEDIA_SITE_DIR=${raw} has no ${PAGES.fr}: build the media fixture (tests/media/make-fixture) into it`);
  }
  return dir;
})();
const template = expandedTemplate();

/** Text as a reader sees it: any space is a space, a typographic apostrophe an apostrophe. */
const plain = (s) => (s ?? '').replace(/\u2019/g, "'").replace(/[\s\u00a0\u202f]+/g, ' ').trim();

let server;
let browser;
let noJs;

before(async () => {
  server = await startCdnServer(siteDir, template);
  browser = await launchBrowser(PHONE);
  noJs = await launchBrowser({ ...PHONE, javaScriptEnabled: false });
});

after(async () => {
  await browser?.close();
  await noJs?.close();
  await server?.close();
});

/**
 * Opens `path` in a new tab of `context`. Every request is recorded; one to another host is
 * refused (so nothing leaves the machine); pictures are held back `delayMs` when asked.
 * The page records its layout shifts (buffered: from the first paint) and CSP violations.
 */
async function open(context, path, { delayMs = 0 } = {}) {
  const page = await context.newPage();
  const requests = [];
  const refused = [];
  await page.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin !== server.url) {
      refused.push(request.url());
      return route.abort('blockedbyclient');
    }
    if (delayMs && request.resourceType() === 'image') {
      await new Promise((ok) => setTimeout(ok, delayMs));
    }
    return route.continue();
  });
  page.on('request', (r) => requests.push(r));
  await page.addInitScript(() => {
    window.__shifts = [];
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) {
          window.__shifts.push({
            value: entry.value,
            nodes: entry.sources?.map((s) => s.node?.outerHTML?.slice(0, 120) ?? '?') ?? [],
          });
        }
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const response = await page.goto(server.url + path, { waitUntil: 'load' });
  assert.equal(response.status(), 200, path);
  await page.waitForLoadState('networkidle');
  return { page, requests, refused, errors, response };
}

/** The bytes that came over the wire for these requests (bodies and headers). */
async function transferred(requests) {
  let total = 0;
  const each = [];
  for (const request of requests) {
    const response = await request.response();
    if (!response) continue;
    const sizes = await request.sizes();
    const bytes = sizes.responseBodySize + sizes.responseHeadersSize;
    total += bytes;
    each.push(`${new URL(request.url()).pathname} ${bytes}`);
  }
  return { total, each };
}

function cspDirectives(header) {
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

test('the policy\'s frame-src allows the two video players, and no other directive names another host', () => {
  const csp = server.headers['content-security-policy'];
  assert.ok(csp, 'the template sends a Content-Security-Policy');
  const directives = cspDirectives(csp);
  assert.deepEqual([...(directives.get('frame-src') ?? [])].sort(), [...PLAYERS].sort(), `frame-src in: ${csp}`);
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  for (const [name, values] of directives) {
    if (name === 'frame-src') continue;
    for (const value of values) {
      assert.ok(
        !/[:/*.]/.test(value) || value === 'data:',
        `${name} ${value}: only frame-src may name another host (${csp})`,
      );
    }
  }
});

for (const [lang, path] of Object.entries(PAGES)) {
  describe(`the photos page (${lang})`, () => {
    test('has no accessibility violation (axe, WCAG 2.1 AA)', async () => {
      const { page } = await open(browser.context, path);
      try {
        const violations = await runAxe(page);
        assert.equal(violations.length, 0, `${path}:\n${formatViolations(violations)}`);
      } finally {
        await page.close();
      }
    });

    test(`does not shift while its pictures arrive ${IMAGE_DELAY_MS} ms late (CLS < ${MAX_CLS})`, async (t) => {
      const { page, requests } = await open(browser.context, path, { delayMs: IMAGE_DELAY_MS });
      try {
        // Scroll through the page so the lazy pictures load too, late, under the reader's eyes.
        await page.evaluate(async () => {
          for (let y = 0; y < document.body.scrollHeight; y += 400) {
            window.scrollTo(0, y);
            await new Promise((ok) => setTimeout(ok, 100));
          }
        });
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(IMAGE_DELAY_MS + 200);
        const images = requests.filter((r) => r.resourceType() === 'image').map((r) => new URL(r.url()).pathname);
        assert.ok(images.some((p) => /\/assets\/images\/eclaireurs-/.test(p)), `the photo was loaded: ${images}`);
        assert.ok(images.some((p) => /\/assets\/images\/schema-/.test(p)), `the diagram was loaded: ${images}`);
        const shifts = await page.evaluate(() => window.__shifts);
        const cls = shifts.reduce((sum, s) => sum + s.value, 0);
        t.diagnostic(`${path}: cumulative layout shift ${cls.toFixed(4)} (${shifts.length} shifts), pictures held ${IMAGE_DELAY_MS} ms`);
        assert.ok(cls < MAX_CLS, `${path}: CLS ${cls}: ${JSON.stringify(shifts)}`);
      } finally {
        await page.close();
      }
    });

    test('chooses the 720 px WebP of the photo (716 px needed) and weighs under 200 KB', async (t) => {
      const { page, requests, refused } = await open(browser.context, path);
      try {
        const chosen = await page.evaluate(() => document.querySelector('main picture img')?.currentSrc ?? '');
        t.diagnostic(`${path}: the browser chose ${new URL(chosen).pathname}`);
        assert.match(new URL(chosen).pathname, /^\/assets\/images\/eclaireurs-720\.[0-9a-f]{10}\.webp$/);
        const { total, each } = await transferred(requests);
        t.diagnostic(`${path}: ${requests.length} requests, ${(total / 1024).toFixed(1)} KB transferred: ${each.join(', ')}`);
        assert.ok(total < MAX_PAGE_BYTES, `${path}: ${total} bytes (${each.join(', ')})`);
        assert.deepEqual(refused, [], 'no request to another host');
      } finally {
        await page.close();
      }
    });

    for (const [index, video] of [
      [0, { id: YOUTUBE_ID, player: `https://www.youtube-nocookie.com/embed/${YOUTUBE_ID}` }],
      [1, { id: VIMEO_ID, player: `https://player.vimeo.com/video/${VIMEO_ID}` }],
    ]) {
      test(`loads nothing from another host until a click starts video ${index + 1}, then its player`, async () => {
        const { page, requests, refused, errors } = await open(browser.context, path);
        try {
          // Everything a reader could scroll to, loaded before the click.
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          await page.waitForLoadState('networkidle');
          const before = requests.map((r) => r.url());
          const foreign = before.filter((u) => new URL(u).origin !== server.url);
          assert.deepEqual(foreign, [], 'no request to another host before the click');
          assert.deepEqual(refused, []);

          const link = page.locator('a.video-link').nth(index);
          const playerRequest = page.waitForRequest((r) => r.url().startsWith(video.player), { timeout: 10_000 });
          await link.click();
          const iframe = page.locator('figure.video iframe');
          await iframe.waitFor({ state: 'attached', timeout: 10_000 });
          assert.equal(await iframe.count(), 1);
          const src = await iframe.getAttribute('src');
          assert.ok(src.startsWith(`${video.player}?`), `the player's address: ${src}`);
          if (index === 1) assert.match(src, /[?&]dnt=1\b/, 'Vimeo asked not to track');
          assert.equal(plain(await iframe.getAttribute('title')), plain(TITLES[lang][index]), 'the frame is titled');
          // The policy let the frame load: its request left the page (and was refused here).
          const left = await playerRequest.then(() => true, () => false);
          const blocked = await page.evaluate(() => window.__violations);
          assert.ok(left, `the player's request never left the page; CSP violations: ${blocked.join('; ') || 'none'}`);
          assert.ok(refused.every((u) => u.startsWith(video.player)), `only the player was asked for: ${refused}`);
          const focused = await page.evaluate(() => document.activeElement?.localName);
          assert.equal(focused, 'iframe', 'the player has the focus');
          assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
          assert.deepEqual(errors, [], 'no script error');
          const violations = await runAxe(page);
          assert.equal(violations.length, 0, `after the click:\n${formatViolations(violations)}`);
        } finally {
          await page.close();
        }
      });
    }

    test('without JavaScript, a video stays a link to youtube.com', async () => {
      const { page, requests, refused } = await open(noJs.context, path);
      try {
        const link = page.locator('a.video-link').first();
        const href = await link.getAttribute('href');
        assert.equal(href, `https://www.youtube.com/watch?v=${YOUTUBE_ID}`);
        // The visible title, after words for screen readers only ("Lire la vidéo :").
        assert.ok(plain(await link.locator('.video-title').textContent()).endsWith(plain(TITLES[lang][0])));
        assert.deepEqual(
          requests.map((r) => r.url()).filter((u) => new URL(u).origin !== server.url),
          [],
          'no request to another host',
        );
        assert.equal(await page.locator('iframe').count(), 0, 'no player without JavaScript');
        // The navigation to the video site, refused here (so it fails): the link was followed.
        const refusedNavigation = page.waitForEvent('requestfailed', {
          predicate: (r) => r.url() === href && r.isNavigationRequest(),
          timeout: 10_000,
        });
        await link.click({ noWaitAfter: true });
        await refusedNavigation;
        assert.deepEqual(refused, [href], 'the click follows the link (refused here)');
      } finally {
        await page.close();
      }
    });
  });
}
