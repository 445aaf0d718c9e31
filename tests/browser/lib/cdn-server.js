// Serves a built site the way the deployed distribution does: each request goes through the
// template's own viewer-request CloudFront Function (address → file, redirects), a missing
// file answers the site's 404.html with status 404 (S3's 403 turned into 404 by the
// distribution), and every answer carries the template's response headers (HSTS, CSP…).
// Only node:http and node:fs, plus tests/template/cloudfront.js.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

import { addressFunction, securityHeaders, viewerRequest } from '../../template/cloudfront.js';
import { contentTypeOf } from './static-server.js';

/**
 * @param {string} root the built site
 * @param {object} template the SAM-expanded template (tests/lint-template's TEMPLATE_JSON)
 */
export async function startCdnServer(root, template) {
  const base = resolve(root);
  const handler = addressFunction(template);
  const headers = securityHeaders(template);

  async function file(uri) {
    let path;
    try {
      path = join(base, decodeURIComponent(uri));
    } catch {
      return null;
    }
    if (!path.startsWith(base + sep)) return null;
    try {
      if (!(await stat(path)).isFile()) return null;
      return { path, body: await readFile(path) };
    } catch {
      return null;
    }
  }

  async function handle(req, res) {
    const send = (status, body, type, extra = {}) => {
      res.writeHead(status, { ...headers, 'content-type': type, 'content-length': body.length, ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const answer = handler(viewerRequest(req.url));
    if (answer.statusCode) {
      const extra = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, v.value]));
      return send(answer.statusCode, Buffer.from(''), 'text/plain; charset=utf-8', extra);
    }
    const found = await file(answer.uri);
    if (found) return send(200, found.body, contentTypeOf(found.path));
    const notFound = await file('/404.html');
    return send(404, notFound?.body ?? Buffer.from('Not Found'), 'text/html; charset=utf-8');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal error: ${err.message}\n`);
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    headers,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}
