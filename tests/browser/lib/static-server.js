// A tiny static file server that behaves like the static host the site is
// published on: `/x/` serves `x/index.html`, `/x` naming a folder redirects
// (301) to `/x/`, files go out with their content type, and anything missing
// answers 404 with the body of `404.html` from the folder's root.
// No dependency: only node:http and node:fs.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.map': 'application/json',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

export function contentTypeOf(file) {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function statOrNull(path) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/**
 * Serves `root` on 127.0.0.1, on a random free port.
 * @param {string} root folder to serve
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 *   `url` has no trailing slash, e.g. `http://127.0.0.1:40123`.
 */
export async function startStaticServer(root) {
  const base = resolve(root);

  async function send(req, res, status, body, type, extraHeaders = {}) {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function notFound(req, res) {
    const page = join(base, '404.html');
    const st = await statOrNull(page);
    if (st?.isFile()) {
      return send(req, res, 404, await readFile(page), CONTENT_TYPES['.html']);
    }
    return send(req, res, 404, Buffer.from('Not Found\n'), CONTENT_TYPES['.txt']);
  }

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(req, res, 405, Buffer.from('Method Not Allowed\n'), CONTENT_TYPES['.txt'], {
        Allow: 'GET, HEAD',
      });
    }
    const url = new URL(req.url, 'http://localhost');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(req, res, 400, Buffer.from('Bad Request\n'), CONTENT_TYPES['.txt']);
    }
    if (pathname.includes('\0')) return notFound(req, res);

    const target = join(base, pathname);
    // Never serve anything outside the folder (`/../etc/passwd`).
    if (target !== base && !target.startsWith(base + sep)) return notFound(req, res);

    const st = await statOrNull(target);
    if (st?.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        return send(req, res, 301, Buffer.from(''), CONTENT_TYPES['.txt'], {
          Location: `${url.pathname}/${url.search}`,
        });
      }
      const index = join(target, 'index.html');
      const ist = await statOrNull(index);
      if (!ist?.isFile()) return notFound(req, res);
      return send(req, res, 200, await readFile(index), CONTENT_TYPES['.html']);
    }
    // A file asked for with a trailing slash (`/a.html/`) does not exist on a static host.
    if (!st?.isFile() || url.pathname.endsWith('/')) return notFound(req, res);
    return send(req, res, 200, await readFile(target), contentTypeOf(target));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': CONTENT_TYPES['.txt'] });
      }
      res.end(`Internal error: ${err.message}\n`);
    });
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}
