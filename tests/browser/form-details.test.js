// The form's details as Chromium lays them out: an invalid field shows the red border meant
// for it, the consent box and its sentence share one line on a phone, and a phone number is
// found as typed and never breaks across lines.
//
//   SITE_DIR=public node --test tests/browser/form-details.test.js

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser } from './lib/browser.js';
import { startStaticServer } from './lib/static-server.js';

const siteDir = (() => {
  if (!process.env.SITE_DIR) throw new Error('SITE_DIR is not set: build the site first (see tests/run)');
  return resolve(process.env.SITE_DIR);
})();

const FORMS = [
  '/fr/saguenay-lac-saint-jean/devenir-eclaireur/',
  '/en/saguenay-lac-saint-jean/become-an-eclaireur/',
  '/fr/bas-saint-laurent/signaler-un-besoin/',
  '/en/bas-saint-laurent/report-a-need/',
];

let server;
let browser;

before(async () => {
  server = await startStaticServer(siteDir);
  browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path) {
  const page = await browser.context.newPage();
  const response = await page.goto(server.url + path);
  assert.equal(response.status(), 200, path);
  return page;
}

test('an invalid text field has another border colour than a valid one', async () => {
  for (const path of FORMS) {
    const page = await open(path);
    const colours = await page.evaluate(() => {
      const fields = [...document.querySelectorAll('form.submission input[type="email"], form.submission textarea, form.submission input[type="text"]')];
      const [valid, invalid] = fields;
      // As forms.js marks a field the function refused.
      invalid.setAttribute('aria-invalid', 'true');
      return {
        valid: getComputedStyle(valid).borderTopColor,
        invalid: getComputedStyle(invalid).borderTopColor,
        alert: getComputedStyle(document.documentElement).getPropertyValue('--alert').trim(),
      };
    });
    assert.notEqual(colours.invalid, colours.valid, `${path}: ${JSON.stringify(colours)}`);
    await page.close();
  }
});

test('the consent box and the start of its sentence share one line at 390 px', async () => {
  for (const path of FORMS) {
    const page = await open(path);
    const boxes = await page.evaluate(() => {
      const consent = document.querySelector('.consent');
      const box = consent.querySelector('input[type="checkbox"]').getBoundingClientRect();
      const label = consent.querySelector('label').getBoundingClientRect();
      return { box: { top: box.top, bottom: box.bottom, right: box.right }, label: { top: label.top, left: label.left } };
    });
    assert.ok(boxes.label.left >= boxes.box.right, `${path}: the sentence is beside the box: ${JSON.stringify(boxes)}`);
    assert.ok(
      boxes.label.top < boxes.box.bottom && boxes.label.top >= boxes.box.top - 12,
      `${path}: the sentence starts on the box's line: ${JSON.stringify(boxes)}`,
    );
    await page.close();
  }
});

for (const path of ['/fr/saguenay-lac-saint-jean/merci-inscription/', '/en/saguenay-lac-saint-jean/thank-you-registration/']) test(`the relay team's number reads as typed, is a link, and stays on one line: ${path}`, async () => {
  const page = await open(path);
  const found = await page.evaluate(() => {
    const link = [...document.querySelectorAll('a[href^="tel:"]')].find((a) => a.textContent.includes('669-2007'));
    if (!link) return null;
    const span = link.querySelector('.nowrap');
    return {
      text: document.body.innerText.includes('1 877 669-2007'),
      whiteSpace: span && getComputedStyle(span).whiteSpace,
      lines: span && span.getClientRects().length,
      mail: !!document.querySelector('a[href="mailto:02.ciuss.leseclaireurs@ssss.gouv.qc.ca"]'),
    };
  });
  assert.ok(found, 'the number is a tel: link');
  assert.equal(found.text, true, 'a search for the number as typed finds it');
  assert.equal(found.whiteSpace, 'nowrap');
  assert.equal(found.lines, 1);
  assert.equal(found.mail, true, 'the email is a mailto: link');
  // A narrow column that would break the number anywhere else.
  const narrow = await page.evaluate(() => {
    const span = document.querySelector('a[href^="tel:"] .nowrap');
    span.closest('dd').style.width = '4ch';
    return span.getClientRects().length;
  });
  assert.equal(narrow, 1, 'the number does not break even in a narrow column');
  await page.close();
});
