// The viewer-request CloudFront Function of template.yaml, run on the events CloudFront gives
// it: page addresses map to their index.html, folders without their slash are redirected
// (never to another host), files pass untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addressFunction, viewerRequest } from './cloudfront.js';

const handler = addressFunction();
const run = (url) => handler(viewerRequest(url));

test('a page address is served from its index.html', () => {
  assert.equal(run('/fr/bas-saint-laurent/').uri, '/fr/bas-saint-laurent/index.html');
  assert.equal(run('/').uri, '/index.html');
  assert.equal(run('/en/').uri, '/en/index.html');
});

test('a folder named without its slash is redirected to it, query kept', () => {
  const answer = run('/fr');
  assert.equal(answer.statusCode, 301);
  assert.equal(answer.headers.location.value, '/fr/');
  assert.equal(run('/fr/bas-saint-laurent?utm_source=affiche').headers.location.value,
    '/fr/bas-saint-laurent/?utm_source=affiche');
  assert.equal(run('/fr?a=1&a=2').headers.location.value, '/fr/?a=1&a=2');
});

test('leading slashes never make a redirect to another host', () => {
  for (const url of ['//fr', '///evil.example/x', '//evil.example']) {
    const answer = run(url);
    const location = answer.headers?.location?.value ?? answer.uri;
    assert.ok(location.startsWith('/') && !location.startsWith('//'), `${url} → ${location}`);
  }
  assert.equal(run('//fr').headers.location.value, '/fr/');
  assert.equal(run('//fr/').uri, '/fr/index.html');
});

test('files pass untouched', () => {
  for (const file of ['/assets/style.3f9a1c0be2.css', '/404.html', '/sitemap.xml', '/robots.txt']) {
    const answer = run(file);
    assert.equal(answer.uri, file);
    assert.equal(answer.statusCode, undefined);
  }
});
