// The small-screen checks every spec shares: care managers visit clients with
// a phone or a tablet, so each screen must work at 390 CSS px without
// sideways scrolling, and each role's main navigation must stay whole.
import type { Page } from '@playwright/test';
import { expect } from './app';

/** A phone held upright (and the narrowest tablets in split view): 390 × 844 CSS px. */
export const PHONE = { width: 390, height: 844 };

/** The main navigation's entries, in order, for each demo role. */
export const MAIN_NAV = {
  careManager: ['My worklist', 'Huddles', 'Patients', 'Referrals', 'Providers', 'Reports', 'Quality measures'],
  supervisor: [
    'My worklist',
    'Huddles',
    'Patients',
    'Referrals',
    'Providers',
    'Team',
    'Reports',
    'Quality measures',
    'Audit trail',
  ],
  admin: [
    'Huddles',
    'Patients',
    'Referrals',
    'Providers',
    'Team',
    'Reports',
    'Quality measures',
    'Users',
    'API keys',
    'Webhooks',
    'HL7 identifiers',
    'Audit trail',
  ],
};

/**
 * Fails unless nothing makes the page wider than the window: the document
 * scrolls sideways by not a single pixel. On failure, names the elements
 * that stick out on the right, or whose text runs out of them.
 */
export async function expectNoSidewaysScroll(page: Page, name: string): Promise<void> {
  const { scrollWidth, clientWidth, culprits } = await page.evaluate(() => {
    const root = document.documentElement;
    const limit = root.clientWidth + 0.5;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      const spills =
        getComputedStyle(el).overflowX === 'visible' &&
        Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      const textEnd = spills ? box.left + el.scrollWidth : box.right;
      if (box.right > limit || textEnd > limit) {
        const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        const text = (el.textContent ?? '').trim().slice(0, 40);
        culprits.push(`${el.tagName.toLowerCase()}${cls} ("${text}") reaches ${Math.round(Math.max(box.right, textEnd))} px`);
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits: culprits.slice(-8) };
  });
  expect(
    scrollWidth,
    `"${name}" is ${scrollWidth} px wide in a ${clientWidth} px window:\n  ${culprits.join('\n  ')}`,
  ).toBeLessThanOrEqual(clientWidth);
}
