// Every built page under the distribution's own rules: the CloudFront Function of
// template.yaml maps addresses to files and the response headers policy of template.yaml
// (strict Content-Security-Policy and the rest) is applied, as after `eclaireurs publish`.
// Each page must load with no console error, no CSP violation and no failed request, with
// its stylesheet applied and, where there is a form, its script run.
//
//   SITE_DIR=public TEMPLATE_JSON=/tmp/template.json node --test tests/browser/csp.test.js
// (tests/lint-template writes TEMPLATE_JSON; tests/run sets both.)

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';

import { expandedTemplate } from '../template/cloudfront.js';
import { launchBrowser } from './lib/browser.js';
import { startCdnServer } from './lib/cdn-server.js';

const siteDir = (() => {
  if (!process.env.SITE_DIR) throw new Error('SITE_DIR is not set: build the site first (see tests/run)');
  return resolve(process.env.SITE_DIR);
})();
const template = expandedTemplate();

function pages(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.html')) out.push(full);
    }
  };
  walk(dir);
  return out
    .map((file) => `/${relative(dir, file).split(sep).join('/')}`.replace(/index\.html$/, ''))
    .sort();
}

let server;
let browser;
const records = new Map();

before(async () => {
  server = await startCdnServer(siteDir, template);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  for (const path of pages(siteDir)) {
    const problems = [];
    const onConsole = (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`);
    const onPageError = (e) => problems.push(`script error: ${e.message}`);
    const onFailed = (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    const onResponse = (r) => {
      // The 404 page is expected to answer 404 itself.
      if (r.status() >= 400 && new URL(r.url()).pathname !== '/404.html') {
        problems.push(`${r.status()} for ${r.url()}`);
      }
    };
    page.on('console', onConsole);
    page.on('pageerror', onPageError);
    page.on('requestfailed', onFailed);
    page.on('response', onResponse);
    const response = await page.goto(server.url + path, { waitUntil: 'load' });
    const facts = await page.evaluate(() => ({
      violations: window.__violations,
      headerBackground: getComputedStyle(document.querySelector('header, .site-header, body')).backgroundColor,
      forms: [...document.querySelectorAll('form[data-form]')].map((f) => f.noValidate),
      icon: document.querySelector('link[rel="icon"]')?.href ?? null,
    }));
    // Let late requests (the icon) finish before moving on.
    await page.waitForLoadState('networkidle');
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
    page.off('requestfailed', onFailed);
    page.off('response', onResponse);
    records.set(path, { status: response.status(), csp: response.headers()['content-security-policy'], problems, ...facts });
  }
  await page.close();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('every page is answered with the template\'s Content-Security-Policy', () => {
  assert.ok(records.size > 30, `only ${records.size} pages`);
  for (const [path, r] of records) {
    assert.equal(r.csp, server.headers['content-security-policy'], path);
    assert.equal(r.status, 200, path);
  }
});

test('no page breaks the policy, logs an error or fails to load a file', () => {
  const bad = [...records].filter(([, r]) => r.violations.length || r.problems.length);
  assert.deepEqual(
    bad.map(([path, r]) => `${path}: ${[...r.violations, ...r.problems].join('; ')}`),
    [],
  );
});

test('the stylesheet applies and every page has its icon', () => {
  for (const [path, r] of records) {
    assert.notEqual(r.headerBackground, 'rgba(0, 0, 0, 0)', `${path}: the stylesheet did not apply`);
    assert.ok(r.icon && /\/assets\/icon\.[0-9a-f]{10}\.svg$/.test(r.icon), `${path}: icon ${r.icon}`);
  }
});

test('the forms\' script runs under the policy', () => {
  const withForms = [...records].filter(([, r]) => r.forms.length);
  assert.ok(withForms.length >= 8, 'every region has its two forms in both languages');
  for (const [path, r] of withForms) {
    assert.ok(r.forms.every(Boolean), `${path}: forms.js did not run (the form is not enhanced)`);
  }
});

test('an unknown address gets the 404 page, a folder without its slash is redirected', async () => {
  const missing = await fetch(`${server.url}/fr/nulle-part/`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /<html/);
  const folder = await fetch(`${server.url}/fr`, { redirect: 'manual' });
  assert.equal(folder.status, 301);
  assert.equal(folder.headers.get('location'), '/fr/');
});
