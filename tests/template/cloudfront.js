// The distribution's behaviour on pages, taken from the deployed template itself (the
// SAM-expanded JSON that tests/lint-template writes to $TEMPLATE_JSON): the viewer-request
// CloudFront Function that maps addresses to files, and the response headers policy. The
// browser tests serve the built site through these, as CloudFront would.

import { readFileSync } from 'node:fs';
import vm from 'node:vm';

export function expandedTemplate() {
  const path = process.env.TEMPLATE_JSON;
  if (!path) {
    throw new Error(
      'TEMPLATE_JSON is not set: run `TEMPLATE_JSON=/tmp/template.json tests/lint-template` ' +
        'first and pass the same variable (tests/run does both)',
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the expanded template ${path} (run tests/lint-template): ${err.message}`);
  }
}

function onlyResource(template, type) {
  const found = Object.values(template.Resources).filter((r) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  return found[0];
}

/** The CloudFront Function's `handler`, run in a fresh context like CloudFront's runtime. */
export function addressFunction(template = expandedTemplate()) {
  const code = onlyResource(template, 'AWS::CloudFront::Function').Properties.FunctionCode;
  const context = vm.createContext({});
  vm.runInContext(`${code}\nthis.handler = handler;`, context);
  return (event) => context.handler(event);
}

/** A viewer-request event of cloudfront-js-2.0 for `url` (path and query). */
export function viewerRequest(url) {
  const parsed = new URL(url, 'https://example.invalid');
  const querystring = {};
  for (const [name, value] of parsed.searchParams) {
    if (querystring[name]) {
      const first = querystring[name];
      querystring[name] = { value: first.value, multiValue: [...(first.multiValue ?? [first]), { value }] };
    } else {
      querystring[name] = { value };
    }
  }
  // `new URL` would fold `//fr` into a host: keep the raw path as CloudFront passes it.
  const path = url.split('?')[0];
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '127.0.0.1' },
    request: { method: 'GET', uri: path, querystring, headers: {}, cookies: {} },
  };
}

/** The response headers policy as HTTP headers (name → value). */
export function securityHeaders(template = expandedTemplate()) {
  const config = onlyResource(template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties
    .ResponseHeadersPolicyConfig;
  const s = config.SecurityHeadersConfig;
  const headers = {};
  if (s.StrictTransportSecurity) {
    const h = s.StrictTransportSecurity;
    headers['strict-transport-security'] =
      `max-age=${h.AccessControlMaxAgeSec}` + (h.IncludeSubdomains ? '; includeSubDomains' : '') +
      (h.Preload ? '; preload' : '');
  }
  if (s.ContentSecurityPolicy) {
    headers['content-security-policy'] = s.ContentSecurityPolicy.ContentSecurityPolicy.replace(/\s+/g, ' ').trim();
  }
  if (s.ContentTypeOptions) headers['x-content-type-options'] = 'nosniff';
  if (s.FrameOptions) headers['x-frame-options'] = s.FrameOptions.FrameOption;
  if (s.ReferrerPolicy) headers['referrer-policy'] = s.ReferrerPolicy.ReferrerPolicy;
  for (const item of config.CustomHeadersConfig?.Items ?? []) {
    headers[item.Header.toLowerCase()] = item.Value;
  }
  return headers;
}
