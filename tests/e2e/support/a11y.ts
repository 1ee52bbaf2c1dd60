// Accessibility check for the browser tests: axe-core (npm, pinned in
// package.json) run inside the page against WCAG 2.1 levels A and AA. Any
// violation fails the test with a readable list: rule, impact, what to fix
// and the selectors of the offending elements. No rule is ever switched off.
import { readFileSync } from 'node:fs';
import { test, type Page } from '@playwright/test';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The axe tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; summary: string }[];
};

/** One line per rule, then one per offending element. */
export function formatViolations(label: string, violations: AxeViolation[]): string {
  const lines = [`axe found ${violations.length} WCAG 2.1 AA violation(s) on "${label}":`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact ?? 'no impact given'}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes) {
      lines.push(`    ${n.target}`);
      if (n.summary) lines.push(...n.summary.split('\n').map((l) => `      ${l}`));
    }
  }
  return lines.join('\n');
}

/** Runs axe on the whole page as it is now and returns what violates WCAG 2.1 AA. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated rather than added as a <script>: the app's Content-Security-Policy
  // refuses inline scripts, and the tests must see the page under its real CSP.
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async (tags) => {
    const axe = (window as any).axe;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n: any) => ({
        target: n.target.map((t: unknown) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '),
        summary: n.failureSummary ?? '',
      })),
    }));
  }, WCAG_21_AA);
}

/** Fails the test, naming every violation, unless the page passes axe (WCAG 2.1 AA) with none. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  await test.step(`axe (WCAG 2.1 AA): ${label}`, async () => {
    const violations = await axeViolations(page);
    if (violations.length > 0) {
      throw new Error(formatViolations(label, violations));
    }
  });
}
