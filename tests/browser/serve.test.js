// End-to-end tests of `eclaireurs serve` in Debian's Chromium: the site, its forms and the
// submission API on one local origin, live reload of edits, and the embedded store.
//
//   cargo build -p eclaireurs
//   node --test --test-reporter=spec tests/browser/serve.test.js
//
// The repository's `content/` and `themes/` are copied into a temporary folder (the tests
// edit them there, never in the repository); `target/debug/eclaireurs serve` runs on that
// copy, on a free port, with its embedded store in the same temporary folder. The tests run
// in order: the last one reads back from the store exactly what the others submitted.
//
// Environment: ECLAIREURS_BIN (the binary; default target/debug/eclaireurs, or
// $CARGO_TARGET_DIR/debug/eclaireurs), CHROMIUM (default /usr/bin/chromium).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { expandedTemplate, securityHeaders } from '../template/cloudfront.js';
import { formatViolations, runAxe } from './lib/axe.js';
import { launchBrowser } from './lib/browser.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The longest any single condition is waited for (a rebuild, a navigation, a reload). */
const WAIT_MS = 15_000;
const TEST_TIMEOUT_MS = 90_000;
/** Makes the values typed by this run unique, so they are found again in the store. */
const RUN = Date.now().toString(36);

// ---------------------------------------------------------------------------
// The server

function binaryPath() {
  if (process.env.ECLAIREURS_BIN) return resolve(process.env.ECLAIREURS_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? resolve(ROOT, process.env.CARGO_TARGET_DIR)
    : join(ROOT, 'target');
  return join(target, 'debug', 'eclaireurs');
}

/**
 * Starts `eclaireurs serve --port 0` and resolves once its first line names the address.
 * @returns {Promise<{url: string, child: import('node:child_process').ChildProcess, output: () => {stdout: string, stderr: string}}>}
 */
function startServe({ bin, content, dataDir, cwd }) {
  const env = { ...process.env, DATA_DIR: dataDir };
  // The embedded store, same-origin redirects, the content folder given on the command line.
  for (const name of [
    'SUBMISSIONS_TABLE',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'SITE_URL',
    'ALLOWED_ORIGINS',
    'CONTENT_DIR',
    'CATALOG_FILE',
    'RETENTION_DAYS',
    'AWS_LAMBDA_RUNTIME_API',
  ]) {
    delete env[name];
  }
  const child = spawn(bin, ['serve', '--content', content, '--port', '0'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const output = () => ({ stdout, stderr });
  return new Promise((resolvePromise, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`eclaireurs serve did not start: ${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('no address printed within 60 s'), 60_000);
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`it exited (code ${code}, signal ${signal})`));
    let started = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (started || newline === -1) return;
      started = true;
      const first = stdout.slice(0, newline);
      const match = /^Serving the site at (http:\/\/127\.0\.0\.1:(\d+))\//.exec(first);
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (!match) {
        fail(`unexpected first line: ${JSON.stringify(first)}`);
        return;
      }
      assert.notEqual(match[2], '0', '--port 0 must print the port actually bound');
      resolvePromise({ url: match[1], child, output });
    });
  });
}

/** SIGTERM, then SIGKILL if the server is still there after 5 s. */
async function stopServe(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The headers the distribution adds (template.yaml's response headers policy), which serve
 * reads from the same definition: exactly as CloudFront sends them when the expanded
 * template is at hand (TEMPLATE_JSON, as tests/run sets it), else the policy's essentials.
 */
function expectedSecurityHeaders() {
  if (process.env.TEMPLATE_JSON) return securityHeaders(expandedTemplate());
  return null;
}

function assertSecurityHeaders(headers, what) {
  const expected = expectedSecurityHeaders();
  if (expected) {
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(headers[name], value, `${what}: ${name} as the distribution sends it`);
    }
    return;
  }
  const csp = headers['content-security-policy'] ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "form-action 'self'"]) {
    assert.ok(csp.includes(directive), `${what}: the Content-Security-Policy has ${directive}: ${csp}`);
  }
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
}

// ---------------------------------------------------------------------------
// State shared by the tests (they run in order, one at a time)

let tmp;
let content;
let themes;
let dataDir;
let server;
/** A browser with JavaScript, and one without (a persistent context sets it for all pages). */
let withJs;
let withoutJs;
/** What the tests stored, to compare with the store at the end. */
const submitted = { registration: [], 'need-report': [] };

// ---------------------------------------------------------------------------
// Helpers

const pathOf = (url) => new URL(url).pathname;

/** Opens `path` in a new tab of `browser`; uncaught script errors are collected. */
async function openPage(browser, path, { withoutFormsScript = false, prepare } = {}) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.setDefaultNavigationTimeout(WAIT_MS);
  const scriptErrors = [];
  page.on('pageerror', (err) => scriptErrors.push(err.message));
  // The pages run under the distribution's Content-Security-Policy: whatever it blocks
  // (an inline script or style, a file from elsewhere) is a failure, as once published.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      scriptErrors.push(`CSP: ${message.text()}`);
    }
  });
  if (withoutFormsScript) {
    // As when the script fails to load on a slow connection: the form posts as plain HTML.
    await page.route(/\/assets\/forms\.[0-9a-f]+\.js$/, (route) => route.abort());
  }
  if (prepare) await prepare(page);
  const response = await page.goto(`${server.url}${path}`);
  assert.equal(response.status(), 200, `GET ${path}`);
  assertSecurityHeaders(response.headers(), `GET ${path}`);
  return { page, scriptErrors };
}

/** Awaits `promise`; a failure carries what `serve` printed (the rebuilds, the build errors). */
async function withServeLog(promise) {
  try {
    return await promise;
  } catch (err) {
    const { stdout, stderr } = server.output();
    throw new Error(`${err.message}\n--- serve's stdout:\n${stdout}--- serve's stderr:\n${stderr}`, {
      cause: err,
    });
  }
}

function assertNoScriptErrors(scriptErrors) {
  assert.deepEqual(scriptErrors, [], 'the page threw uncaught script errors');
}

/** The lines of a store file, parsed (an empty list when the file does not exist yet). */
function readStore(kind) {
  const file = join(dataDir, `${kind}.jsonl`);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${kind}.jsonl ends with a newline`);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (err) {
        throw new Error(`${kind}.jsonl line ${i + 1} is not JSON (${err.message}): ${line}`);
      }
    });
}

/** The one stored submission that matches, or a failure that shows what is there. */
function storedOne(kind, predicate, what) {
  const records = readStore(kind);
  const found = records.filter(predicate);
  assert.equal(
    found.length,
    1,
    `exactly one ${kind} should be stored for ${what}; the store holds:\n${records
      .map((r) => JSON.stringify(r))
      .join('\n')}`,
  );
  return found[0];
}

/** Waits until `document.body.innerText` contains `text`. */
async function waitForText(page, text) {
  await page.waitForFunction((t) => document.body && document.body.innerText.includes(t), text, {
    timeout: WAIT_MS,
  });
}

/**
 * Marks the page's window: the mark is gone once the page has reloaded (a new document).
 * Live reload is a real reload, never a patch of the DOM.
 */
async function markWindow(page) {
  await page.evaluate(() => {
    window.__notReloadedYet = true;
  });
}
const stillSameDocument = (page) => page.evaluate(() => window.__notReloadedYet === true);

/** The focused element, described for assertions. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', id: '', text: '' };
    return {
      tag: el.localName,
      id: el.id,
      type: el.getAttribute('type') || '',
      className: el.className || '',
      text: (el.textContent || '').trim().slice(0, 80),
    };
  });
}

/** Edits a file of the temporary copy: `edit(text) → text`, which must change it. */
async function editFile(file, edit) {
  const before = await readFile(file, 'utf8');
  const afterEdit = edit(before);
  assert.notEqual(afterEdit, before, `the edit of ${file} must change it`);
  await writeFile(file, afterEdit);
  return before;
}

/** Fills the French registration of Saguenay–Lac-Saint-Jean (whose éclaireurs choose their
 *  roles) with an email the server refuses
 *  (`julie@exemple`, accepted by the browser) and a municipality of spaces only. */
async function fillRegistrationTheServerRefuses(page) {
  await page.fill('#registration-first_name', 'Julie');
  await page.fill('#registration-last_name', 'Bérubé');
  await page.fill('#registration-email', 'julie@exemple');
  await page.fill('#registration-municipality', '   ');
  await page.check('#registration-roles-support');
  await page.check('#registration-consent');
}

/** With JavaScript: submits the refused registration and waits for the errors beside the fields. */
async function showServerErrorsWithJs() {
  const opened = await openPage(withJs, '/fr/saguenay-lac-saint-jean/devenir-eclaireur/');
  const { page } = opened;
  await fillRegistrationTheServerRefuses(page);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && pathOf(r.url()) === '/api/registrations',
    ),
    page.click('#registration-form button[type="submit"]'),
  ]);
  assert.equal(response.status(), 422, 'the API refuses the registration');
  await page.waitForSelector('#registration-municipality-error');
  return opened;
}

/**
 * Without the form script: posts the refused registration as a plain form and lands on the
 * function's 422 page. By default in the browser without JavaScript; `{inBrowserWithJs}`
 * reaches the same page in the browser with JavaScript, where forms.js is made to fail to
 * load (axe-core needs timers, which a page without JavaScript never runs).
 */
async function showServerErrorsWithoutJs({ inBrowserWithJs = false } = {}) {
  const opened = inBrowserWithJs
    ? await openPage(withJs, '/fr/saguenay-lac-saint-jean/devenir-eclaireur/', { withoutFormsScript: true })
    : await openPage(withoutJs, '/fr/saguenay-lac-saint-jean/devenir-eclaireur/');
  const { page } = opened;
  await fillRegistrationTheServerRefuses(page);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && pathOf(r.url()) === '/api/registrations',
    ),
    page.click('#registration-form button[type="submit"]'),
  ]);
  assert.equal(response.status(), 422, 'the API answers 422 with a page');
  assert.match(
    response.request().headers()['content-type'] ?? '',
    /^application\/x-www-form-urlencoded/,
    'without JavaScript the browser posts the plain form',
  );
  await page.waitForLoadState('load');
  return opened;
}

// ---------------------------------------------------------------------------

describe('eclaireurs serve, in Debian Chromium', { concurrency: 1 }, () => {
  before(
    async () => {
      const bin = binaryPath();
      if (!existsSync(bin)) {
        throw new Error(
          `The eclaireurs binary is missing (${bin}): build it first with \`cargo build -p eclaireurs\` ` +
            '(tests/run does), or point ECLAIREURS_BIN at it.',
        );
      }
      tmp = await mkdtemp(join(tmpdir(), 'eclaireurs-serve-test-'));
      content = join(tmp, 'content');
      themes = join(tmp, 'themes');
      dataDir = join(tmp, 'data');
      await cp(join(ROOT, 'content'), content, { recursive: true });
      await cp(join(ROOT, 'themes'), themes, { recursive: true });
      server = await startServe({ bin, content, dataDir, cwd: tmp });
      // Even if this process is stopped before `after` runs, the server goes with it.
      process.once('exit', () => server?.child.kill('SIGKILL'));
      withJs = await launchBrowser();
      withoutJs = await launchBrowser({ javaScriptEnabled: false });
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      const errors = [];
      for (const step of [
        () => stopServe(server?.child),
        () => withJs?.close(),
        () => withoutJs?.close(),
        () => tmp && rm(tmp, { recursive: true, force: true }),
      ]) {
        try {
          await step();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length) throw errors[0];
    },
    { timeout: 60_000 },
  );

  test(
    'a registration in French with JavaScript is sent as JSON with an idempotency key, leads to /fr/<region>/merci-inscription/ and is stored with exactly the values typed',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page, scriptErrors } = await openPage(withJs, '/fr/saguenay-lac-saint-jean/devenir-eclaireur/');
      const person = {
        first_name: 'Élise',
        last_name: 'Tremblay-Gagnon',
        email: `elise.${RUN}@exemple.ca`,
        phone: '418 555-0123',
        municipality: 'Alma',
        territory: 'Lac-Saint-Jean-Est',
        roles: ['mobilize', 'watch'],
      };
      await page.fill('#registration-first_name', person.first_name);
      await page.fill('#registration-last_name', person.last_name);
      await page.fill('#registration-email', person.email);
      await page.fill('#registration-phone', person.phone);
      await page.fill('#registration-municipality', person.municipality);
      await page.selectOption('#registration-territory', person.territory);
      for (const role of person.roles) await page.check(`#registration-roles-${role}`);
      await page.check('#registration-consent');

      const [request] = await Promise.all([
        page.waitForRequest(
          (r) => r.method() === 'POST' && pathOf(r.url()) === '/api/registrations',
        ),
        page.click('#registration-form button[type="submit"]'),
      ]);
      const headers = request.headers();
      assert.match(headers['content-type'] ?? '', /^application\/json/, 'sent as JSON');
      assert.ok((headers['idempotency-key'] ?? '').length >= 8, 'with an Idempotency-Key made in the page');
      const body = request.postDataJSON();
      assert.deepEqual(body.roles, person.roles, 'roles sent as an array');
      assert.equal(body.consent, true, 'consent sent as a boolean');
      const response = await request.response();
      assert.equal(response.status(), 201, 'the API stores the registration');
      submitted.registration.push(person.email);

      await page.waitForURL((u) => u.pathname === '/fr/saguenay-lac-saint-jean/merci-inscription/');
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.ok((await page.textContent('h1')).trim().length > 0, 'the thank-you page has a heading');

      const stored = storedOne('registration', (r) => r.email === person.email, person.email);
      assert.equal(stored.kind, 'registration');
      assert.equal(stored.status, 'new');
      assert.equal(stored.region, 'saguenay-lac-saint-jean');
      assert.equal(stored.language, 'fr');
      for (const name of ['first_name', 'last_name', 'email', 'phone', 'municipality', 'territory']) {
        assert.equal(stored[name], person[name], `stored ${name}`);
      }
      assert.deepEqual(stored.roles, person.roles, 'stored roles');
      assert.match(stored.consent_version, /\S/, 'the consent version is recorded');
      assert.match(stored.consent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'when consent was given');
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    'a double click on Send, and another click while the thank-you page is still loading, send the registration once',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const thanks = '/en/saguenay-lac-saint-jean/thank-you-registration/';
      let letThanksThrough;
      const held = new Promise((r) => {
        letThanksThrough = r;
      });
      const { page, scriptErrors } = await openPage(withJs, '/en/saguenay-lac-saint-jean/become-an-eclaireur/', {
        prepare: async (p) => {
          // A slow connection: the thank-you page comes only when the test lets it through.
          await p.route(`**${thanks}`, async (route) => {
            await held;
            await route.continue();
          });
        },
      });
      const email = `chris.${RUN}@example.ca`;
      try {
        const isPost = (r) => r.method() === 'POST' && pathOf(r.url()) === '/api/registrations';
        const posts = [];
        page.on('request', (r) => {
          if (isPost(r)) posts.push(r);
        });
        await page.fill('#registration-first_name', 'Chris');
        await page.fill('#registration-last_name', 'Lavoie');
        await page.fill('#registration-email', email);
        await page.fill('#registration-municipality', 'Alma');
        await page.check('#registration-roles-promote');
        await page.check('#registration-consent');

        // The mouse itself: Playwright's click would wait for the held navigation. (While the
        // page is on its way to the thank-you page, nothing can be read from it either.)
        const button = page.locator('#registration-form button[type="submit"]');
        await button.scrollIntoViewIfNeeded();
        const box = await button.boundingBox();
        const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
        const [response] = await Promise.all([
          page.waitForResponse((r) => isPost(r.request())),
          page.mouse.dblclick(x, y),
        ]);
        assert.equal(response.status(), 201);
        submitted.registration.push(email);

        // The page now waits for the thank-you page; the person clicks Send again meanwhile.
        await page.waitForRequest((r) => pathOf(r.url()) === thanks);
        await page.mouse.click(x, y);
        // Proving that nothing is sent needs a bounded wait: a request would show within ms.
        const another = await page
          .waitForRequest(isPost, { timeout: 2_000 })
          .then(() => true)
          .catch(() => false);
        assert.equal(another, false, 'a click while the thank-you page loads sends nothing more');
        assert.equal(posts.length, 1, 'a double click sends once');
      } finally {
        letThanksThrough();
      }
      await page.waitForURL((u) => u.pathname === thanks);
      storedOne('registration', (r) => r.email === email, email);
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    'a report whose answer is lost is sent again with the same idempotency key while its answers stay the same, and with a new one once corrected: nothing is lost, nothing stored twice',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const path = '/fr/bas-saint-laurent/signaler-un-besoin/';
      const isPost = (r) => r.method() === 'POST' && pathOf(r.url()) === '/api/need-reports';
      const keys = [];
      let answersToLose = 0;
      const { page, scriptErrors } = await openPage(withJs, path, {
        prepare: async (p) => {
          // A connection that drops after the server answered: the report is stored, the
          // page never hears of it.
          await p.route('**/api/need-reports', async (route) => {
            keys.push(route.request().headers()['idempotency-key']);
            if (answersToLose > 0) {
              answersToLose -= 1;
              await route.fetch();
              await route.abort('connectionreset');
              return;
            }
            await route.continue();
          });
        },
      });
      const typo = `Des aînés de Trois-Pistoles n'ont plus de transport vers la banque alimetaire (essai ${RUN}).`;
      const fixed = typo.replace('alimetaire', 'alimentaire');
      await page.fill('#need-report-description', typo);
      await page.check('#need-report-consent');
      const button = '#need-report-form button[type="submit"]';
      const failed = await page.getAttribute('#need-report-form', 'data-msg-failed');
      const saysFailed = () =>
        page.waitForFunction(
          (text) => document.querySelector('#need-report-form [data-form-status]')?.textContent === text,
          failed,
        );

      answersToLose = 1;
      await page.click(button);
      await saysFailed();
      storedOne('need-report', (r) => r.description === typo, 'the report with the typo, whose answer was lost');
      submitted['need-report'].push(typo);

      // Sent again unchanged (its answer lost again): the same key, so still one report.
      await page.evaluate(() => {
        document.querySelector('#need-report-form [data-form-status]').textContent = '';
      });
      answersToLose = 1;
      await page.click(button);
      await saysFailed();
      assert.equal(keys.length, 2);
      assert.ok(keys[0] && keys[0].length >= 8, 'sent with a key');
      assert.equal(keys[1], keys[0], 'the same answers keep their key');
      storedOne('need-report', (r) => r.description === typo, 'the report sent twice with one key');

      // The person fixes the typo: a new key, so the corrected report is stored too (under the
      // old key the function would refuse other answers).
      await page.fill('#need-report-description', fixed);
      const [response] = await Promise.all([
        page.waitForResponse((r) => isPost(r.request())),
        page.click(button),
      ]);
      assert.equal(response.status(), 201, 'the corrected report is stored');
      assert.notEqual(keys[2], keys[0], 'corrected answers are sent with a new key');
      submitted['need-report'].push(fixed);
      await page.waitForURL((u) => u.pathname === '/fr/bas-saint-laurent/merci-signalement/');
      storedOne('need-report', (r) => r.description === fixed, 'the corrected report');
      storedOne('need-report', (r) => r.description === typo, 'the first report, kept as it was');
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    'a need report in English without JavaScript is posted as a plain form, answered 303 to /en/bas-saint-laurent/thank-you-report/ and stored with the exact description',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page } = await openPage(withoutJs, '/en/bas-saint-laurent/report-a-need/');
      // No script runs in this browser: no live-reload poll, no enhancement of the form.
      assert.equal(await page.evaluate(() => document.querySelector('form').noValidate), false);
      const report = {
        territory: 'Les Basques',
        description: `Since the spring, older people in Trois-Pistoles have no way to reach the food bank (run ${RUN}).`,
        name: 'Sam Ouellet',
        email: `sam.${RUN}@example.ca`,
      };
      await page.selectOption('#need-report-territory', report.territory);
      await page.fill('#need-report-description', report.description);
      await page.fill('#need-report-name', report.name);
      await page.fill('#need-report-email', report.email);
      await page.check('#need-report-consent');

      const [post] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && pathOf(r.url()) === '/api/need-reports',
        ),
        page.click('#need-report-form button[type="submit"]'),
      ]);
      assert.match(post.request().headers()['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
      assert.equal(post.status(), 303, 'a stored form post answers See Other');
      assert.equal(
        new URL(post.headers().location, server.url).pathname,
        '/en/bas-saint-laurent/thank-you-report/',
      );
      submitted['need-report'].push(report.description);

      await page.waitForURL((u) => u.pathname === '/en/bas-saint-laurent/thank-you-report/');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');

      const stored = storedOne('need-report', (r) => r.description === report.description, 'the English report');
      assert.equal(stored.kind, 'need-report');
      assert.equal(stored.status, 'new');
      assert.equal(stored.region, 'bas-saint-laurent');
      assert.equal(stored.language, 'en');
      assert.equal(stored.territory, report.territory);
      assert.equal(stored.name, report.name);
      assert.equal(stored.email, report.email);
      await page.close();
    },
  );

  test(
    "server-side errors are shown beside their fields, announced in the live region and focused (JavaScript), or on the form's own page given back filled in, summed up at the top and beside each field (no JavaScript); nothing is stored",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const storedBefore = readStore('registration').length;

      // With JavaScript: the server's verdict appears in the page.
      const { page, scriptErrors } = await showServerErrorsWithJs();
      const errors = await page.evaluate(() =>
        ['registration-email', 'registration-municipality'].map((id) => {
          const field = document.getElementById(id);
          const error = document.getElementById(`${id}-error`);
          return {
            id,
            exists: Boolean(error),
            className: error?.className,
            text: error?.textContent.trim(),
            visible: Boolean(error && error.offsetParent !== null),
            besideTheField: Boolean(error && error.parentElement === field.parentElement),
            ariaInvalid: field.getAttribute('aria-invalid'),
            describedBy: (field.getAttribute('aria-describedby') || '').split(/\s+/),
          };
        }),
      );
      const [email, municipality] = errors;
      for (const e of errors) {
        assert.ok(e.exists, `#${e.id}-error is shown`);
        assert.equal(e.className, 'field-error');
        assert.ok(e.visible, `#${e.id}-error is visible`);
        assert.ok(e.besideTheField, `#${e.id}-error sits beside its field`);
        assert.equal(e.ariaInvalid, 'true', `#${e.id} is aria-invalid`);
        assert.ok(e.describedBy.includes(`${e.id}-error`), `#${e.id} is described by its error`);
      }
      assert.equal(email.text, 'Erreur\u00a0: Entrez une adresse courriel valide, par exemple nom@exemple.ca.');
      assert.equal(municipality.text, 'Erreur\u00a0: Ce champ est obligatoire.', 'French typography: no-break space before the colon');
      assert.ok(email.describedBy.includes('registration-email-hint'), 'the hint still describes the email');
      assert.equal((await focused(page)).id, 'registration-email', 'focus moves to the first invalid field');
      const status = page.locator('#registration-form [data-form-status]');
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(
        (await status.textContent()).trim(),
        "Le formulaire n’a pas été envoyé. Réponses à corriger\u00a0: 2. Courriel, Municipalité.",
      );

      // Fixing one answer and sending again: that error goes, the other stays and is announced.
      await page.fill('#registration-email', 'julie@exemple.ca');
      await page.click('#registration-form button[type="submit"]');
      await page.waitForSelector('#registration-email-error', { state: 'detached' });
      await page.waitForFunction(
        () =>
          document.querySelector('#registration-form [data-form-status]').textContent.trim() ===
          "Le formulaire n’a pas été envoyé. Réponses à corriger\u00a0: 1. Municipalité.",
        null,
        { timeout: WAIT_MS },
      );
      assert.equal(await page.getAttribute('#registration-email', 'aria-invalid'), null);
      assert.equal(await page.getAttribute('#registration-email', 'aria-describedby'), 'registration-email-hint');
      assert.equal(await page.getAttribute('#registration-municipality', 'aria-invalid'), 'true');
      assert.equal((await focused(page)).id, 'registration-municipality');
      assertNoScriptErrors(scriptErrors);
      await page.close();

      // Without JavaScript: the form's own page again, in French, filled in, with what to fix
      // summed up at the top (focused) and beside each field.
      const { page: plain } = await showServerErrorsWithoutJs();
      assert.equal(pathOf(plain.url()), '/api/registrations');
      assert.equal(await plain.getAttribute('html', 'lang'), 'fr');
      assert.equal((await plain.textContent('#registration-summary')).trim(), 'Quelques réponses sont à corriger');
      assert.equal(await plain.evaluate(() => document.activeElement?.id), 'registration-summary');
      const items = await plain.$$eval('.error-summary li', (lis) =>
        lis.map((li) => {
          const a = li.querySelector('a');
          return { text: li.textContent.trim(), label: a?.textContent.trim(), href: a?.getAttribute('href') };
        }),
      );
      assert.deepEqual(
        items.map(({ label, href }) => ({ label, href })),
        [
          { label: 'Courriel', href: '#registration-email' },
          { label: 'Municipalité', href: '#registration-municipality' },
        ],
      );
      assert.match(items[0].text, /Entrez une adresse courriel valide/);
      assert.match(items[1].text, /Ce champ est obligatoire/);
      assert.equal(await plain.inputValue('#registration-first_name'), 'Julie', 'the answers stay');
      assert.equal(await plain.inputValue('#registration-last_name'), 'Bérubé');
      assert.equal(await plain.isChecked('#registration-roles-support'), true);
      assert.equal(await plain.getAttribute('#registration-email', 'aria-invalid'), 'true');
      assert.match(
        (await plain.textContent('#registration-email-error')).trim(),
        /Entrez une adresse courriel valide/,
        'the error beside its field',
      );
      await plain.close();

      assert.equal(readStore('registration').length, storedBefore, 'a refused registration stores nothing');
    },
  );

  test(
    'the registration is completed with the keyboard alone, from the skip link to Enter on the submit button, in a logical tab order',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page, scriptErrors } = await openPage(withJs, '/en/saguenay-lac-saint-jean/become-an-eclaireur/');
      const email = `alex.${RUN}@example.ca`;
      const kb = page.keyboard;
      const expectFocus = async (id, why) => assert.equal((await focused(page)).id, id, why ?? `focus on #${id}`);

      await kb.press('Tab');
      const skip = await focused(page);
      assert.equal(skip.className, 'skip-link', 'the first Tab reaches the skip link');
      await kb.press('Enter');
      await page.waitForFunction(() => location.hash === '#main');

      // From the main content, Tab until the first field; every stop is recorded.
      const stops = [];
      for (let i = 0; i < 60; i += 1) {
        await kb.press('Tab');
        const f = await focused(page);
        stops.push(f);
        if (f.id === 'registration-first_name') break;
      }
      assert.equal(stops.at(-1)?.id, 'registration-first_name', `Tab reaches the first field; stops: ${JSON.stringify(stops)}`);
      assert.ok(
        stops.every((s) => !/^(registration-|need-report-)/.test(s.id) || s.id === 'registration-first_name'),
        'no field comes before the first one',
      );

      await kb.type('Alex');
      await kb.press('Tab');
      await expectFocus('registration-last_name');
      await kb.type('Gagné');
      await kb.press('Tab');
      await expectFocus('registration-email');
      await kb.type(email.slice(0, -1)); // a typo: the last letter is missing
      await kb.press('Tab');
      await expectFocus('registration-phone');
      await kb.press('Shift+Tab');
      await expectFocus('registration-email', 'Shift+Tab goes back to the email');
      await kb.press('End');
      await kb.type(email.slice(-1));
      await kb.press('Tab');
      await expectFocus('registration-phone');
      await kb.press('Tab'); // the phone is optional
      await expectFocus('registration-municipality');
      await kb.type('Dolbeau-Mistassini');
      await kb.press('Tab');
      await expectFocus('registration-territory');
      await kb.press('ArrowDown');
      await kb.press('ArrowDown');
      assert.equal(await page.inputValue('#registration-territory'), 'Maria-Chapdelaine', 'ArrowDown picks a territory');
      await kb.press('Tab');
      await expectFocus('registration-roles-promote');
      await kb.press('Space');
      await kb.press('Tab');
      await expectFocus('registration-roles-mobilize');
      await kb.press('Tab');
      await expectFocus('registration-roles-watch');
      await kb.press('Space');
      await kb.press('Tab');
      await expectFocus('registration-roles-support');
      await kb.press('Tab');
      await expectFocus('registration-consent');
      await kb.press('Space');
      assert.equal(await page.isChecked('#registration-consent'), true, 'Space checks the consent box');

      // On to the submit button: the privacy link is on the way, the honeypot never is.
      const rest = [];
      for (let i = 0; i < 5; i += 1) {
        await kb.press('Tab');
        const f = await focused(page);
        rest.push(f);
        if (f.tag === 'button') break;
      }
      assert.equal(rest.at(-1)?.tag, 'button', `Tab reaches the submit button; stops: ${JSON.stringify(rest)}`);
      assert.ok(!rest.some((s) => s.id === 'registration-website'), 'the honeypot is out of the tab order');

      const [response] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && pathOf(r.url()) === '/api/registrations',
        ),
        kb.press('Enter'),
      ]);
      assert.equal(response.status(), 201);
      submitted.registration.push(email);
      await page.waitForURL((u) => u.pathname === '/en/saguenay-lac-saint-jean/thank-you-registration/');

      const stored = storedOne('registration', (r) => r.email === email, email);
      assert.equal(stored.language, 'en');
      assert.equal(stored.region, 'saguenay-lac-saint-jean');
      assert.equal(stored.first_name, 'Alex');
      assert.equal(stored.last_name, 'Gagné');
      assert.equal(stored.municipality, 'Dolbeau-Mistassini');
      assert.equal(stored.territory, 'Maria-Chapdelaine');
      assert.deepEqual(stored.roles, ['promote', 'watch']);
      assert.equal(stored.phone, undefined, 'an empty optional field is not stored');
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    'axe-core (WCAG 2.1 A and AA) finds no violation with the errors displayed, with JavaScript and on the page answered without it',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page } = await showServerErrorsWithJs();
      const violations = await runAxe(page);
      assert.deepEqual(violations, [], `form with errors shown by the script:\n${formatViolations(violations)}`);
      await page.close();

      const { page: plain } = await showServerErrorsWithoutJs({ inBrowserWithJs: true });
      assert.equal((await plain.textContent('#registration-summary')).trim(), 'Quelques réponses sont à corriger');
      const plainViolations = await runAxe(plain);
      assert.deepEqual(plainViolations, [], `the 422 page of a plain form post:\n${formatViolations(plainViolations)}`);
      await plain.close();
    },
  );

  test(
    'an edit of a page, of an interface string or of the style sheet reloads the open tab by itself',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page, scriptErrors } = await openPage(withJs, '/fr/bas-saint-laurent/roles/');
      assert.equal(await page.locator('script[data-eclaireurs-live-reload]').count(), 1);

      // Content: a sentence of the body.
      const oldSentence = 'Les éclaireurs ont quatre rôles.';
      const newSentence = `Les éclaireurs jouent quatre rôles complémentaires (${RUN}).`;
      await waitForText(page, oldSentence);
      await markWindow(page);
      await editFile(join(content, 'regions/bas-saint-laurent/fr/roles.md'), (text) =>
        text.replace(oldSentence, newSentence),
      );
      await withServeLog(waitForText(page, newSentence));
      assert.equal(await stillSameDocument(page), false, 'the page was reloaded');
      assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(oldSentence));

      // Theme: an interface string (the footer note).
      const note = `Un réseau soutenu par le ministère de la Santé et des Services sociaux (aperçu ${RUN}).`;
      await markWindow(page);
      await editFile(join(themes, 'default/i18n/fr.yaml'), (text) =>
        text.replace(/^(\s+network:).*$/m, `$1 ${note}`),
      );
      await withServeLog(waitForText(page, note));
      assert.equal(await stillSameDocument(page), false, 'the page was reloaded');

      // Theme: the style sheet.
      const marker = `"${RUN}"`;
      await markWindow(page);
      await editFile(join(themes, 'default/static/assets/style.css'), (text) =>
        `${text}\n:root { --e2e-reload-marker: ${marker}; }\n`,
      );
      await withServeLog(page.waitForFunction(
        (m) => getComputedStyle(document.documentElement).getPropertyValue('--e2e-reload-marker').trim() === m,
        marker,
        { timeout: WAIT_MS },
      ));
      assert.equal(await stillSameDocument(page), false, 'the page was reloaded');
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    'a broken edit shows the file, line and column in the open page while the server keeps answering; the next good edit reloads the page with the fix',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { page, scriptErrors } = await openPage(withJs, '/fr/bas-saint-laurent/objectifs/');
      const file = join(content, 'regions/bas-saint-laurent/fr/objectives.md');
      const original = await readFile(file, 'utf8');
      const titleLine = original.split('\n').findIndex((l) => l.startsWith('title:')) + 1;
      assert.ok(titleLine > 1, 'objectives.md has a title in its front matter');
      await markWindow(page);

      await editFile(file, (text) => text.replace(/^title:/m, 'titel:'));
      const box = page.locator('#eclaireurs-build-error');
      await withServeLog(box.waitFor({ state: 'visible' }));
      assert.equal(await box.getAttribute('role'), 'alert');
      const shown = await box.textContent();
      assert.match(shown, new RegExp(`regions/bas-saint-laurent/fr/objectives\\.md:${titleLine}:1\\b`), shown);
      assert.match(shown, /titel/, 'the error names the unknown key');
      assert.equal(await stillSameDocument(page), true, 'the last good page stays in place');

      // The terminal says the same, and the server still answers.
      assert.match(server.output().stderr, new RegExp(`objectives\\.md:${titleLine}:1`));
      for (const path of ['/', '/fr/bas-saint-laurent/objectifs/', '/api/health']) {
        const res = await fetch(`${server.url}${path}`);
        await res.arrayBuffer();
        assert.equal(res.status, 200, `GET ${path} while the build is broken`);
      }

      // The fix, with a new sentence: the box goes away because the page reloads.
      const added = `Ce paragraphe a été ajouté pendant un aperçu (${RUN}).`;
      await writeFile(file, `${original.trimEnd()}\n\n${added}\n`);
      await withServeLog(page.waitForFunction(
        (t) => !document.getElementById('eclaireurs-build-error') && document.body.innerText.includes(t),
        added,
        { timeout: WAIT_MS },
      ));
      assert.equal(await stillSameDocument(page), false, 'the page was reloaded');
      assert.equal(
        (await page.textContent('h1')).trim(),
        "Le rétablissement social et les objectifs de l’approche",
        'the fixed title is back',
      );
      assertNoScriptErrors(scriptErrors);
      await page.close();
    },
  );

  test(
    "every answer of serve carries the distribution's security headers, the live-reload script included, and `//fr` is redirected to /fr/ on this site",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      for (const path of ['/fr/', '/__livereload.js', '/api/health', '/fr/nulle-part/']) {
        const res = await fetch(`${server.url}${path}`);
        await res.arrayBuffer();
        assertSecurityHeaders(Object.fromEntries(res.headers), `GET ${path}`);
      }
      const page = await (await fetch(`${server.url}/fr/`)).text();
      assert.match(page, /<script src="\/__livereload\.js" data-eclaireurs-live-reload><\/script>/);
      assert.doesNotMatch(page, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script for the policy to block');
      for (const [path, location] of [['//fr', '/fr/'], ['//en/bas-saint-laurent', '/en/bas-saint-laurent/']]) {
        const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
        assert.ok([301, 307, 308].includes(res.status), `GET ${path}: ${res.status}`);
        assert.equal(res.headers.get('location'), location, `GET ${path} stays on this site`);
      }
    },
  );

  test(
    'the store holds exactly the submissions made in the browser, one valid JSON line each, with status new',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const registrations = readStore('registration');
      const reports = readStore('need-report');
      assert.equal(
        registrations.length,
        3,
        'three registrations: French with JavaScript, English clicked twice, English by keyboard',
      );
      assert.equal(
        reports.length,
        3,
        'three need reports: French with JavaScript before and after a fix, English without JavaScript',
      );
      assert.deepEqual(
        registrations.map((r) => r.email).sort(),
        [...submitted.registration].sort(),
      );
      assert.deepEqual(
        reports.map((r) => r.description),
        submitted['need-report'],
      );
      const all = [...registrations, ...reports];
      for (const record of all) {
        assert.equal(record.status, 'new', `${record.id} is new`);
        assert.match(record.id, /\S/, 'each submission has an id');
        assert.match(record.submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      }
      assert.deepEqual(registrations.map((r) => r.kind), ['registration', 'registration', 'registration']);
      assert.deepEqual(reports.map((r) => r.kind), ['need-report', 'need-report', 'need-report']);
      assert.equal(new Set(all.map((r) => r.id)).size, all.length, 'ids are unique');

      // serve tells of each new submission in one line, as notifications do: the form, the
      // region, the time and the id, nothing a person wrote.
      const { stdout } = server.output();
      const announced = stdout.split('\n').filter((line) => line.startsWith('New submission: '));
      assert.deepEqual(
        announced.map((line) => line.match(/ \(id (.+)\)\.$/)?.[1]).sort(),
        all.map((r) => r.id).sort(),
        `one line per stored submission:\n${stdout}`,
      );
      // And of each request, one line in plain words: method, address (no query), answer, time.
      const requests = stdout.split('\n').filter((line) => line.includes(' → '));
      for (const line of requests) {
        assert.match(line, /^[A-Z]+ \/\S* → \d{3} [A-Za-z -]+ in \d+ ms\.$/, line);
      }
      const storedAnswers = requests.filter((line) => /^POST \/api\/(registrations|need-reports) → (201|303) /.test(line));
      // (A retry with the same key is answered like the first: there may be more answers.)
      assert.ok(storedAnswers.length >= all.length, `an answered post per stored submission:\n${requests.join('\n')}`);
      assert.ok(
        requests.some((line) => line.startsWith('POST /api/registrations → 422 ')),
        'the refused registrations are told too',
      );
      assert.ok(requests.some((line) => line.startsWith('GET /fr/saguenay-lac-saint-jean/devenir-eclaireur/ → 200 OK')));
      for (const record of all) {
        for (const field of ['first_name', 'last_name', 'email', 'phone', 'description', 'name', 'municipality']) {
          if (record[field]) {
            assert.ok(!stdout.includes(record[field]), `serve printed the ${field} of ${record.id}`);
          }
        }
      }
    },
  );
});
