import { expect, people, screen, signIn, test } from '../support/app';

test.describe('addresses that lead nowhere', () => {
  test('an unknown address shows the not-found page, signed out', async ({ page }) => {
    const res = await page.goto('/no/such/page');
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await expect(page.getByText('There is nothing at this address.')).toBeVisible();
    await expect(page).toHaveTitle('Page not found · Care Manager');
    await screen(page, 'not-found-signed-out');

    await page.getByRole('link', { name: 'Go to patients' }).click();
    await expect(page).toHaveURL(/\/login\?next=%2Fpatients$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  test('an unknown address shows the not-found page, signed in, with a way back', async ({ page }) => {
    await signIn(page, people.cm1);
    await page.goto('/patients/new/extra/segments');
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await screen(page, 'not-found-signed-in');
    await page.getByRole('link', { name: 'Go to patients' }).click();
    await expect(page).toHaveURL(/\/patients$/);
    await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  });

  test('an unknown API path answers a JSON problem, not the app', async ({ request }) => {
    const res = await request.get('/api/v1/no-such-thing');
    expect(res.status()).toBe(404);
    expect(res.headers()['content-type']).toContain('application/problem+json');
  });
});
