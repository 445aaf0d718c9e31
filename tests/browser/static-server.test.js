// The static server used by the browser tests behaves like the host the site is published on.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startStaticServer } from './lib/static-server.js';

let dir;
let server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'static-server-test-'));
  mkdirSync(join(dir, 'fr', 'region'), { recursive: true });
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'index.html'), '<h1>root</h1>');
  writeFileSync(join(dir, 'fr', 'region', 'index.html'), '<h1>region</h1>');
  writeFileSync(join(dir, '404.html'), '<h1>introuvable</h1>');
  for (const f of ['a.css', 'a.js', 'sitemap.xml', 'robots.txt', 'i.svg', 'i.png', 'favicon.ico', 'site.webmanifest', 'd.json']) {
    writeFileSync(join(dir, f), 'x');
  }
  server = await startStaticServer(dir);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path, init) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

test('listens on 127.0.0.1 on a random port', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('a folder address ending in / serves its index.html', async () => {
  const res = await get('/fr/region/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await res.text(), '<h1>region</h1>');
  assert.equal(await (await get('/')).text(), '<h1>root</h1>');
});

test('a folder address without its final / is redirected (301) to the address with it, query kept', async () => {
  const res = await get('/fr/region?x=1');
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), '/fr/region/?x=1');
});

test('files are served with their content type', async () => {
  const expected = {
    '/a.css': 'text/css; charset=utf-8',
    '/a.js': 'text/javascript; charset=utf-8',
    '/sitemap.xml': 'application/xml; charset=utf-8',
    '/robots.txt': 'text/plain; charset=utf-8',
    '/i.svg': 'image/svg+xml',
    '/i.png': 'image/png',
    '/favicon.ico': 'image/x-icon',
    '/site.webmanifest': 'application/manifest+json',
    '/d.json': 'application/json',
    '/404.html': 'text/html; charset=utf-8',
  };
  for (const [path, type] of Object.entries(expected)) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), type, path);
  }
});

test('a missing address answers 404 with the body of 404.html', async () => {
  for (const path of ['/nope/', '/nope', '/empty/', '/a.css/', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(await res.text(), '<h1>introuvable</h1>', path);
  }
});

test('HEAD is answered without a body; other methods get 405', async () => {
  const head = await get('/a.css', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  const post = await get('/', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
});
