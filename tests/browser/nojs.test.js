// The no-JavaScript round trip, in Debian's Chromium with JavaScript disabled (as on a slow
// rural link where forms.js never arrives): a post that needs fixing answers the form's own
// page, in the site's shell, with every other answer still there and each error beside its
// field; corrected and sent again, it is stored once and reaches the thank-you page.
//
//   cargo build -p eclaireurs
//   node --test --test-reporter=spec tests/browser/nojs.test.js
//
// `target/debug/eclaireurs serve` (which embeds the function) runs on the repository's
// content, on a free port, with its embedded store in a temporary folder. Both forms, both
// languages, both regions, at 390 px wide.
//
// Environment: ECLAIREURS_BIN (the binary; default target/debug/eclaireurs, or
// $CARGO_TARGET_DIR/debug/eclaireurs), CHROMIUM (default /usr/bin/chromium).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { formatViolations, runAxe } from './lib/axe.js';
import { launchBrowser } from './lib/browser.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WAIT_MS = 15_000;
const TEST_TIMEOUT_MS = 120_000;
const RUN = Date.now().toString(36);
const PHONE = { width: 390, height: 844 };

const REGIONS = ['bas-saint-laurent', 'saguenay-lac-saint-jean'];
// The regions whose éclaireurs choose their roles (`roles: chosen` in region.yaml): their
// registration asks for them; elsewhere every éclaireur holds them all and is not asked.
const CHOOSE_ROLES = new Set(['saguenay-lac-saint-jean']);
const PAGES = {
  registration: { fr: 'devenir-eclaireur', en: 'become-an-eclaireur', endpoint: 'registrations' },
  'need-report': { fr: 'signaler-un-besoin', en: 'report-a-need', endpoint: 'need-reports' },
};

function binaryPath() {
  if (process.env.ECLAIREURS_BIN) return resolve(process.env.ECLAIREURS_BIN);
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  return join(target, 'debug', 'eclaireurs');
}

/** `eclaireurs serve --port 0` on the repository's content; resolves with its address. */
function startServe({ bin, dataDir, cwd }) {
  const env = { ...process.env, DATA_DIR: dataDir };
  for (const name of ['SUBMISSIONS_TABLE', 'AWS_ENDPOINT_URL_DYNAMODB', 'SITE_URL', 'ALLOWED_ORIGINS', 'CONTENT_DIR', 'CATALOG_FILE', 'RETENTION_DAYS', 'AWS_LAMBDA_RUNTIME_API']) {
    delete env[name];
  }
  const child = spawn(bin, ['serve', '--content', join(ROOT, 'content'), '--port', '0'], {
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
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)), 60_000);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${stdout}\n${stderr}`)));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^Serving the site at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ url: match[1], child });
      }
    });
  });
}

let tmp;
let dataDir;
let server;
let withoutJs;
/** For axe only (it needs timers): the same pages, with forms.js made to fail to load. */
let withJs;

function readStore(kind) {
  const file = join(dataDir, `${kind}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Fills the form of `page` rightly, but for a wrong email and (registration) no role. */
async function fillWrongly(page, form, answers) {
  const select = `#${form}-territory`;
  if ((await page.locator(select).count()) > 0) {
    answers.territory = await page.$eval(select, (s) => [...s.options].find((o) => o.value).value);
    await page.selectOption(select, answers.territory);
  }
  for (const [name, value] of Object.entries(answers.text)) {
    await page.fill(`#${form}-${name}`, value);
  }
  await page.fill(`#${form}-email`, answers.wrongEmail);
  await page.check(`#${form}-consent`);
}

async function post(page, form, endpoint) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/${endpoint}`),
    page.click(`#${form}-form button[type="submit"]`),
  ]);
  await page.waitForLoadState('load');
  return response;
}

function answersFor(form, lang, region) {
  const id = `${form}.${lang}.${region}.${RUN}`;
  if (form === 'registration') {
    return {
      text: { first_name: 'Julie', last_name: `Bérubé ${id}`, phone: '418 555-0199', municipality: 'Rimouski' },
      wrongEmail: 'julie@berube', // the browser's check takes it; the function's does not
      email: `julie.${RUN}.${lang}.${region}@example.ca`,
    };
  }
  return {
    text: { description: `Des aînés n'ont plus de transport vers la banque alimentaire (${id}).`, name: 'Sam Ouellet' },
    wrongEmail: 'sam@ouellet',
    email: `sam.${RUN}.${lang}.${region}@example.ca`,
  };
}

describe('the no-JavaScript round trip, in Debian Chromium with JavaScript off', { concurrency: 1 }, () => {
  before(
    async () => {
      const bin = binaryPath();
      if (!existsSync(bin)) throw new Error(`The eclaireurs binary is missing (${bin}): cargo build -p eclaireurs`);
      tmp = await mkdtemp(join(tmpdir(), 'eclaireurs-nojs-'));
      dataDir = join(tmp, 'data');
      server = await startServe({ bin, dataDir, cwd: tmp });
      withoutJs = await launchBrowser({ javaScriptEnabled: false, viewport: PHONE });
      withJs = await launchBrowser({ viewport: PHONE });
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await withoutJs?.close();
    await withJs?.close();
    if (server?.child && server.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  for (const form of Object.keys(PAGES)) {
    for (const lang of ['fr', 'en']) {
      for (const region of REGIONS) {
        const path = `/${lang}/${region}/${PAGES[form][lang]}/`;
        test(
          `${form}, ${lang}, ${region}: a wrong email${form === 'registration' && CHOOSE_ROLES.has(region) ? ' and no role' : ''} answers the form page filled in with the errors beside their fields; corrected, it is stored once and thanked`,
          { timeout: TEST_TIMEOUT_MS },
          async () => {
            const endpoint = PAGES[form].endpoint;
            const page = await withoutJs.context.newPage();
            page.setDefaultTimeout(WAIT_MS);
            assert.equal((await page.goto(`${server.url}${path}`)).status(), 200);
            const thanks = await page.getAttribute(`#${form}-form`, 'data-thanks');
            const answers = answersFor(form, lang, region);
            await fillWrongly(page, form, answers);

            const refused = await post(page, form, endpoint);
            assert.equal(refused.status(), 422, await refused.text());
            assert.equal(new URL(page.url()).pathname, `/api/${endpoint}`);
            assert.equal(await page.getAttribute('html', 'lang'), lang);
            // The site's shell: header with the region, icon, crisis lines.
            assert.equal(await page.locator('header.site-header .brand a').count(), 1);
            assert.equal(await page.locator('header .brand-region').count(), 1);
            assert.equal(await page.locator('link[rel="icon"]').count(), 1);
            assert.ok((await page.locator('.crisis-lines').count()) >= 2, 'the crisis lines above the form and in the footer');
            // Every other answer still there; the trap empty.
            for (const [name, value] of Object.entries(answers.text)) {
              assert.equal(await page.inputValue(`#${form}-${name}`), value, `${name} kept`);
            }
            if (answers.territory) assert.equal(await page.inputValue(`#${form}-territory`), answers.territory);
            assert.equal(await page.inputValue(`#${form}-email`), answers.wrongEmail);
            assert.equal(await page.isChecked(`#${form}-consent`), true);
            assert.equal(await page.inputValue(`#${form}-website`), '');
            // The errors beside their fields.
            const asksRoles = form === 'registration' && CHOOSE_ROLES.has(region);
            assert.equal(await page.locator(`#${form}-roles`).count(), asksRoles ? 1 : 0, 'roles asked only where chosen');
            const invalid = asksRoles ? ['email', 'roles'] : ['email'];
            for (const name of invalid) {
              const id = `${form}-${name}`;
              assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `${id} invalid`);
              const describedBy = ((await page.getAttribute(`#${id}`, 'aria-describedby')) ?? '').split(/\s+/);
              assert.ok(describedBy.includes(`${id}-error`), `${id} described by its error`);
              assert.ok(await page.isVisible(`#${id}-error.field-error`), `${id}'s error is shown`);
              assert.equal(await page.locator(`.error-summary a[href="#${id}"]`).count(), 1, `the summary links to ${id}`);
            }
            // Focus on the summary's heading, without a script.
            assert.equal(await page.evaluate(() => document.activeElement?.id), `${form}-summary`);
            // At 390 px the crisis boxes keep off the screen's edges.
            for (const box of await page.locator('.crisis').all()) {
              const rect = await box.boundingBox();
              assert.ok(rect.x >= 8 && rect.x + rect.width <= PHONE.width - 8, `crisis box at ${JSON.stringify(rect)}`);
            }

            // Corrected and sent again: stored once, thanked.
            await page.fill(`#${form}-email`, answers.email);
            if (asksRoles) await page.locator(`#${form}-roles input[type="checkbox"]`).first().check();
            const accepted = await post(page, form, endpoint);
            assert.equal(accepted.status(), 303);
            await page.waitForURL((u) => u.pathname === thanks);
            const stored = readStore(form).filter((r) => r.email === answers.email);
            assert.equal(stored.length, 1, 'exactly one submission stored');
            assert.equal(stored[0].region, region);
            assert.equal(stored[0].language, lang);
            await page.close();

            // axe-core on the same answer, reached with forms.js failing to load.
            const checked = await withJs.context.newPage();
            checked.setDefaultTimeout(WAIT_MS);
            await checked.route(/\/assets\/forms\.[0-9a-f]+\.js$/, (route) => route.abort());
            await checked.goto(`${server.url}${path}`);
            await fillWrongly(checked, form, answersFor(form, lang, region));
            assert.equal((await post(checked, form, endpoint)).status(), 422);
            const violations = await runAxe(checked);
            assert.deepEqual(violations, [], formatViolations(violations));
            await checked.close();
          },
        );
      }
    }
  }
});
