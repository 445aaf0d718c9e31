// Runs axe-core (from node_modules, never a CDN) inside a Playwright page.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Injects axe into the page (through the DevTools protocol, so a page's
 * Content-Security-Policy cannot block it) and checks WCAG 2.0/2.1 A and AA.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<object[]>} axe's violations (empty when the page passes)
 */
export async function runAxe(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) {
    await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  }
  return page.evaluate(
    (tags) =>
      window.axe
        .run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
          // Third-party frames (a video player) cannot receive axe: do not wait for them.
          iframes: false,
        })
        .then((r) =>
          r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({
              target: n.target,
              html: n.html,
              failureSummary: n.failureSummary,
            })),
          })),
        ),
    WCAG_TAGS,
  );
}

/**
 * Formats axe violations for a person reading a test failure.
 * @param {object[]} violations
 * @returns {string}
 */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const target = Array.isArray(n.target) ? n.target.join(' ') : String(n.target);
          const summary = (n.failureSummary ?? '')
            .split('\n')
            .map((line) => `        ${line}`)
            .join('\n');
          return `    - ${target}\n${summary}`;
        })
        .join('\n');
      return `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}
