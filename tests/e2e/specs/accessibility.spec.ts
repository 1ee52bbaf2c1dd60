import { axeViolations, formatViolations } from '../support/a11y';
import { expect, test } from '../support/app';

// Every screen the specs visit is checked with axe at its key point (`screen`
// in support/app.ts) and on the way (`expectNoAxeViolations`). This makes sure
// that "no violations" is a finding and not a check that quietly ran nothing.
test.describe('the accessibility check', () => {
  test('runs in the app under its security policy and names each violation it finds', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    // An image without a text alternative and a field without a label.
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
      img.id = 'no-alt';
      const field = document.createElement('input');
      field.id = 'no-label';
      document.querySelector('main, body')!.append(img, field);
    });
    const found = await axeViolations(page);
    expect(found.map((v) => v.id).sort()).toEqual(['image-alt', 'label']);
    const report = formatViolations('sign-in with a broken image and field', found);
    expect(report).toContain('- image-alt (critical)');
    expect(report).toContain('#no-alt');
    expect(report).toContain('#no-label');
  });
});
